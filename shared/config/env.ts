import { z } from 'zod';
import { type OutboundPolicy, outboundPolicyFor } from '../net/outbound-target.ts';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE } from '../webhooks/retry-schedule.ts';
import { configSource } from './config-source.ts';

const port = z.coerce.number().int().min(0).max(65535);
const url = z.url();
const wsUrl = z.url({ protocol: /^(wss?|https?)$/ });
const positiveInt = z.coerce.number().int().positive();
/** Queue URLs: local emulators put the endpoint host inside the name (`sqs.region.127.0.0.1:port`). */
const queueUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) queue URL');
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

/**
 * Every environment variable the platform reads, in one schema. Values that are secrets in AWS
 * (keys, tokens, passwords) are not here: they come through `secrets.ts`, from Secrets Manager
 * when `SECRETS_ARN` is set and from the environment otherwise.
 */
export const EnvSchema = z
  .object({
    STAGE: z.string().min(1).default('local'),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Share of debug lines written anyway when LOG_LEVEL is above debug (0 to 1; sampled per logger). */
    LOG_DEBUG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),

    // Data plane
    TABLE_NAME: z.string().min(1).default('ai-caller-local-main'),
    DYNAMODB_ENDPOINT: url.optional(),
    SQS_ENDPOINT: url.optional(),
    QUEUE_SUMMARIES_URL: queueUrl.optional(),
    QUEUE_USAGE_URL: queueUrl.optional(),
    QUEUE_WEBHOOKS_URL: queueUrl.optional(),
    QUEUE_MEDIA_COMMANDS_URL: queueUrl.optional(),
    QUEUE_KNOWLEDGE_CRAWL_URL: queueUrl.optional(),
    QUEUE_KNOWLEDGE_INDEX_URL: queueUrl.optional(),
    QUEUE_EXPORTS_URL: queueUrl.optional(),
    QUEUE_BACKFILLS_URL: queueUrl.optional(),
    QUEUE_CAMPAIGN_DIALS_URL: queueUrl.optional(),
    QUEUE_CAMPAIGN_OUTCOMES_URL: queueUrl.optional(),
    QUEUE_CONTACT_IMPORTS_URL: queueUrl.optional(),
    /** S3 API endpoint (the local emulator); unset in AWS. */
    S3_ENDPOINT: url.optional(),
    /** Bucket for call exports (private, encrypted, objects expire). */
    EXPORTS_BUCKET: z.string().min(3).max(63).default('ai-caller-local-exports'),
    /** Lifetime of an export's presigned download URL. */
    EXPORT_URL_TTL_SECONDS: positiveInt.max(604_800).default(900),
    /** Bucket for call recordings (private, encrypted, objects expire by their retention tag). */
    RECORDINGS_BUCKET: z.string().min(3).max(63).default('ai-caller-local-recordings'),
    /** Lifetime of a recording's presigned playback URL. */
    RECORDING_URL_TTL_SECONDS: positiveInt.max(3600).default(300),
    /** Where media tasks spool recordings while calls run (the task's disk); the OS temp dir when unset. */
    RECORDING_SPOOL_DIR: z.string().min(1).optional(),
    /**
     * Seconds of recorded audio between tail checkpoints (the part being filled, put to S3 in
     * small objects so a media task that dies loses at most about this much; docs/recording.md).
     */
    RECORDING_CHECKPOINT_SECONDS: positiveInt.max(300).default(30),

    // Public addresses (what Twilio and browsers see) and local ports
    API_PORT: port.default(3000),
    MEDIA_PORT: port.default(8080),
    PUBLIC_API_URL: url.default('http://127.0.0.1:3000'),
    PUBLIC_MEDIA_URL: url.default('http://127.0.0.1:8080'),
    /**
     * Where the other media tasks reach this one (relayed commands). In ECS it comes from the task
     * metadata endpoint (`ECS_CONTAINER_METADATA_URI_V4`, set by the agent); locally it is loopback.
     */
    MEDIA_TASK_URL: url.optional(),
    ECS_CONTAINER_METADATA_URI_V4: url.optional(),
    CORS_ORIGINS: csv.default([]),

    // OpenAI
    OPENAI_BASE_URL: url.default('https://api.openai.com/v1'),
    OPENAI_REALTIME_URL: wsUrl.default('wss://api.openai.com/v1/realtime'),
    OPENAI_REALTIME_MODEL: z.string().min(1).default('gpt-realtime-2'),
    OPENAI_TRANSCRIPTION_MODEL: z.string().min(1).default('gpt-4o-mini-transcribe'),
    OPENAI_SUMMARY_MODEL: z.string().min(1).default('gpt-5-mini'),

    // Twilio
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits')
      .optional(),
    TWILIO_API_BASE_URL: url.default('https://api.twilio.com'),

    // Asterisk
    ARI_URL: url.optional(),
    ARI_USERNAME: z.string().min(1).optional(),
    ARI_APP: z.string().min(1).default('ai-caller'),
    ARI_ENDPOINT_TEMPLATE: z.string().min(1).default('PJSIP/{to}@trunk'),
    RTP_HOST: z.string().min(1).default('127.0.0.1'),
    RTP_PORT_MIN: port.default(40000),
    RTP_PORT_MAX: port.default(40999),
    /**
     * `classic`: the media service connects to ARI and one task serves the app. `per_call`
     * (Asterisk 22.5+/20.15+): Asterisk opens one ARI WebSocket per call to `/asterisk/ari` on the
     * media port, so any number of tasks share one PBX (docs/asterisk-per-call.md).
     */
    ASTERISK_MODE: z.enum(['classic', 'per_call']).default('classic'),
    /** Call audio: RTP (`rtp`, classic only) or chan_websocket (`websocket`); per_call always uses websocket. */
    ASTERISK_MEDIA: z.enum(['rtp', 'websocket']).optional(),
    /** The user Asterisk's `websocket_client.conf` sends on per-call connections (password: a secret). */
    ASTERISK_PERCALL_USERNAME: z.string().min(1).optional(),

    // Stripe
    STRIPE_API_BASE_URL: url.default('https://api.stripe.com'),
    STRIPE_METER_EVENT_NAME: z.string().min(1).default('ai_caller_call_seconds'),

    // Post-call processing (summaries, usage, customer webhooks)
    /** Price table version (shared/billing/price-table.ts); the newest when unset. */
    BILLING_PRICE_VERSION: z.string().min(1).optional(),
    /** Overrides of the price table's rounding rule: bill in steps of N seconds, at least M seconds. */
    BILLING_INCREMENT_SECONDS: positiveInt.optional(),
    BILLING_MINIMUM_SECONDS: z.coerce.number().int().min(0).optional(),
    /** First retry delay of a failed summary (doubles per attempt); 0 leaves it to the queue's visibility. */
    CONSUMER_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).max(43_200).default(30),
    /**
     * Delays between customer webhook attempts (the last repeats), spanning about 24 h. Parsed to
     * seconds; entries that are not non-negative numbers are dropped, and an empty list is the
     * default schedule.
     */
    WEBHOOK_RETRY_SCHEDULE_SECONDS: csv
      .transform((parts): readonly number[] => {
        const delays = parts.map(Number).filter((n) => Number.isFinite(n) && n >= 0);
        return delays.length ? delays : DEFAULT_WEBHOOK_RETRY_SCHEDULE;
      })
      .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE),
    WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
    /** A call event the queue has not taken within this long goes to the outbox (sent later). */
    SQS_PUBLISH_TIMEOUT_MS: positiveInt.default(3_000),
    /** Older name of OUTBOUND_ALLOW_PRIVATE_TARGETS (webhooks only at the time). */
    WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).optional(),
    /**
     * `false` refuses private and loopback targets of webhooks and tools in the local stage too.
     * Deployed stages always refuse them; link-local and metadata addresses are refused everywhere.
     */
    OUTBOUND_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).optional(),

    // People (shared/people, docs/people.md)
    /** Sender of invitation and password-reset emails (Amazon SES); unset: nothing is emailed. */
    EMAIL_FROM: z.string().min(3).optional(),
    /** Base URL of the web console, where invitation and reset links point; PUBLIC_API_URL when unset. */
    CONSOLE_URL: url.optional(),
    /** Secret holding the session signing keyring; locally SESSION_SIGNING_KEYS holds it instead. */
    SESSION_KEYS_SECRET_ARN: z.string().min(1).optional(),

    // Secrets Manager (AWS) or a local stand-in
    SECRETS_ARN: z.string().min(1).optional(),
    SECRETS_ENDPOINT: url.optional(),
    /** How long fetched secrets are reused before Secrets Manager is asked again (rotation pickup). */
    SECRETS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),

    // Knowledge bases (crawler, index, retrieval)
    /** Bucket for uploaded files, embedded chunks and the LanceDB index versions. */
    KNOWLEDGE_BUCKET: z.string().min(3).default('ai-caller-local-knowledge'),
    OPENAI_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
    /** Vector size requested from the embeddings API (text-embedding-3 models shorten on request). */
    OPENAI_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(64).max(3072).default(512),
    /** Minimum gap between two requests of the crawler to one host (raised by robots.txt Crawl-delay). */
    KNOWLEDGE_CRAWL_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
    KNOWLEDGE_FETCH_TIMEOUT_MS: positiveInt.default(15_000),
    KNOWLEDGE_MAX_PAGE_BYTES: positiveInt.default(5 * 1024 * 1024),
    /** Page fetch attempts (timeouts, 429, 5xx) and the first backoff bound (doubling, full jitter). */
    KNOWLEDGE_RETRY_MAX_ATTEMPTS: positiveInt.default(4),
    KNOWLEDGE_RETRY_BASE_MS: positiveInt.default(2_000),
    /** Crawl loopback/private/link-local hosts; allowed when STAGE=local unless set. */
    /** A sync without progress for this long is finished by the watchdog. */
    KNOWLEDGE_SYNC_STALL_SECONDS: positiveInt.default(900),
    /**
     * A deleted base is purged at once and again this long after, when no crawl (90 s) or publish
     * (900 s) that was running at the delete can still write (SQS caps the delay at 900 s).
     */
    KNOWLEDGE_PURGE_RECHECK_SECONDS: z.coerce.number().int().min(0).max(900).default(900),
    /** Where media tasks and search functions keep index versions copied from S3. */
    KNOWLEDGE_CACHE_DIR: z.string().min(1).optional(),
    /** Most page fetches the crawler runs against one host at a time, across every instance. */
    KNOWLEDGE_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),

    // Analytics
    /** How long a process reuses the summed counters of finished periods (0: always read). */
    ANALYTICS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(300),

    // Limits and behaviour
    DEFAULT_MAX_CONCURRENT_CALLS: positiveInt.default(10),
    DEFAULT_REQUESTS_PER_SECOND: positiveInt.default(20),
    MEDIA_MAX_CALLS: positiveInt.default(200),
    DRAIN_GRACE_SECONDS: z.coerce.number().int().min(0).default(300),
    /** Set by CDK: metrics go to stdout as EMF records (CloudWatch Logs extracts them). */
    METRICS_NAMESPACE: z.string().min(1).optional(),
    /** Local platform: EMF records and trace segments are appended to this JSON-lines file instead. */
    TELEMETRY_FILE: z.string().min(1).optional(),
    /** X-Ray daemon (`host:port`) the media service sends call segments to; the task's sidecar in AWS. */
    AWS_XRAY_DAEMON_ADDRESS: z.string().min(1).optional(),
    /** Pre-connected realtime sockets per media task (0 disables warming). */
    MEDIA_MODEL_POOL_SIZE: z.coerce.number().int().min(0).max(50).default(2),
    /** Idle warm sockets are replaced after this long, leaving calls most of the 60-min limit. */
    MEDIA_MODEL_POOL_MAX_IDLE_SECONDS: positiveInt.default(300),
    /** A call's model socket rolls over to a fresh one after this long (the API stops at 60 min). */
    MEDIA_MODEL_SESSION_MAX_SECONDS: positiveInt.default(3300),
    /**
     * `tenantId/agentId` of the agent behind the browser demo page `/call/demo` (set by `npm start`).
     * Honoured only when STAGE is `local`: the page mints calls without an API key.
     */
    WEB_DEMO_AGENT: z
      .string()
      .regex(/^[\w-]+\/[\w-]+$/, 'must be tenantId/agentId')
      .optional(),
  })
  .superRefine((env, ctx) => {
    // Combinations no single key can check; reported under the key to fix.
    if (env.ARI_URL && !env.ARI_USERNAME) {
      ctx.addIssue({ code: 'custom', path: ['ARI_USERNAME'], message: 'is required when ARI_URL is set' });
    }
    if (env.ASTERISK_MODE === 'per_call') {
      if (!env.ARI_URL) {
        ctx.addIssue({
          code: 'custom',
          path: ['ARI_URL'],
          message: 'is required when ASTERISK_MODE is per_call (media sockets and dialing)',
        });
      }
      if (!env.ASTERISK_PERCALL_USERNAME) {
        ctx.addIssue({
          code: 'custom',
          path: ['ASTERISK_PERCALL_USERNAME'],
          message: 'is required when ASTERISK_MODE is per_call',
        });
      }
      if (env.ASTERISK_MEDIA === 'rtp') {
        ctx.addIssue({
          code: 'custom',
          path: ['ASTERISK_MEDIA'],
          message: 'must be websocket when ASTERISK_MODE is per_call',
        });
      }
    }
    if (env.RTP_PORT_MIN > env.RTP_PORT_MAX) {
      ctx.addIssue({ code: 'custom', path: ['RTP_PORT_MAX'], message: 'must not be below RTP_PORT_MIN' });
    }
  });

/**
 * Values derived from several keys, computed once when the environment is parsed so no caller
 * re-derives them (or reads the raw keys) on its own.
 */
export interface DerivedConfig {
  /** Whether webhooks, tools and crawls may reach private addresses (`outboundPolicyFor`). */
  outboundPolicy: OutboundPolicy;
  /** `SECRETS_CACHE_TTL_SECONDS` in milliseconds. */
  secretsCacheTtlMs: number;
}

const ConfigSchema = EnvSchema.transform((values): z.output<typeof EnvSchema> & DerivedConfig => ({
  ...values,
  outboundPolicy: outboundPolicyFor(values),
  secretsCacheTtlMs: values.SECRETS_CACHE_TTL_SECONDS * 1000,
}));

export type Env = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly badKeys: string[];
  constructor(problems: { key: string; message: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.key} (${p.message})`).join('; ')}`);
    this.name = 'ConfigError';
    this.badKeys = problems.map((p) => p.key);
  }
}

/** Empty strings count as unset so that `FOO=` in a shell does not defeat a default. */
function withoutEmpty(source: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source))
    if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/**
 * Parses settings (the process's config source by default: `process.env` unless the launcher
 * provided its own); throws a ConfigError naming every bad key.
 */
export function loadEnv(source: Record<string, string | undefined> = configSource()): Env {
  const result = ConfigSchema.safeParse(withoutEmpty(source));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({ key: issue.path.join('.') || '(env)', message: issue.message })),
    );
  }
  return result.data;
}

let cached: Env | undefined;
/** The process-wide parsed configuration (parsed from `configSource()` on first use, then reused). */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}
/** For tests and the local launcher, which change the environment between runs. */
export function resetEnvCache(): void {
  cached = undefined;
}
