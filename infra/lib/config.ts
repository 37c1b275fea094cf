import { z } from 'zod';

/** `-c key=a,b` arrives as a string, `cdk.json` gives an array: accept both. */
const stringList = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()).filter(Boolean),
  );
/** `-c flag=false` arrives as the string "false". */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
const count = z.coerce.number().int().min(0);
const port = z.coerce.number().int().min(1).max(65535);
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'must be an IPv4 CIDR such as 10.0.0.0/16');
const certificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:/, 'must be an ACM certificate ARN');
const optionalText = z.string().trim().min(1).optional();

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

/**
 * Every deployment setting, read from CDK context (`cdk.json` or `-c key=value`). The stacks take
 * this object as props; nothing below `infra/bin` reads the environment or the context itself.
 */
export const DeploymentConfigSchema = z
  .object({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be lower-case letters, digits and dashes (max 16)'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /**
     * Log level per function, by handler file name (`{"summarize-call":"debug"}`), over `logLevel`.
     * Context values are strings, so a JSON string is accepted too.
     */
    functionLogLevels: z
      .preprocess(
        (v) => (typeof v === 'string' ? JSON.parse(v) : v),
        z.record(z.string(), z.enum(['debug', 'info', 'warn', 'error'])),
      )
      .default({}),
    /** Share (0..1) of requests, messages and calls logged at debug level whatever the level. */
    logDebugSampleRate: z.coerce.number().min(0).max(1).default(0),
    logRetentionDays: z.coerce
      .number()
      .int()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    /** Email address that receives alarm notifications (optional: alarms still show in the console). */
    alarmEmail: z.email().optional(),

    // HTTP API
    apiDomainName: optionalText,
    apiCertificateArn: certificateArn.optional(),
    corsOrigins: stringList.default([]),
    apiThrottleRatePerSecond: z.coerce.number().positive().default(100),
    apiThrottleBurst: z.coerce.number().int().positive().default(200),
    /**
     * Authorizer result cache; 0 (the default) disables it. A cache needs an identity source that
     * every request carries, and API Gateway then refuses requests without it: with a cache, only
     * `Authorization: Bearer` passes, so console sessions (cookies) and `x-api-key` do not.
     */
    authorizerCacheSeconds: z.coerce.number().int().min(0).max(3600).default(0),
    /** Reserve Lambda concurrency for the queue consumers (accounts with a tiny limit must turn this off). */
    reserveConsumerConcurrency: flag.default(true),

    // People (docs/people.md)
    /** Sender of invitation and reset emails through SES (a verified identity); unset: no email. */
    emailFrom: optionalText,
    /** The web console's URL, where invitation and reset links point (the API URL when unset). */
    consoleUrl: z.url().optional(),

    // Media service
    mediaDomainName: optionalText,
    mediaCertificateArn: certificateArn.optional(),
    mediaMinTasks: count.default(1),
    mediaMaxTasks: count.default(4),
    mediaCpu: z.coerce.number().int().default(1024),
    mediaMemoryMiB: z.coerce.number().int().default(2048),
    /** Autoscaling target: average live calls per task. */
    mediaTargetCallsPerTask: z.coerce.number().int().positive().default(40),
    /** Hard cap a task admits before answering busy (MEDIA_MAX_CALLS). */
    mediaMaxCallsPerTask: z.coerce.number().int().positive().default(100),
    /** How long live calls may continue once a task is told to stop (deregistration delay). */
    drainGraceSeconds: z.coerce.number().int().min(0).max(3600).default(300),
    natGateways: count.default(1),

    // Providers (non-secret settings; secrets live in the platform secret)
    twilioAccountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/)
      .optional(),
    asteriskCidr: cidr.optional(),
    ariUrl: z.url().optional(),
    ariUsername: optionalText,
    ariPort: port.default(8088),
    rtpPortMin: port.default(40000),
    rtpPortMax: port.default(40999),
    /** `per_call`: Asterisk 22.5+/20.15+ opens per-call ARI WebSockets to the media ALB (docs/asterisk-per-call.md). */
    asteriskMode: z.enum(['classic', 'per_call']).default('classic'),
    /** Call audio in classic mode: RTP (UDP port range open to asteriskCidr) or chan_websocket. */
    asteriskMedia: z.enum(['rtp', 'websocket']).optional(),
    /** The user Asterisk's websocket_client.conf presents; its password is ASTERISK_PERCALL_PASSWORD in the secret. */
    asteriskPercallUsername: optionalText,
  })
  .superRefine((config, ctx) => {
    if (config.rtpPortMin > config.rtpPortMax)
      ctx.addIssue({ code: 'custom', path: ['rtpPortMin'], message: 'must not exceed rtpPortMax' });
    if (config.mediaMinTasks > config.mediaMaxTasks)
      ctx.addIssue({ code: 'custom', path: ['mediaMinTasks'], message: 'must not exceed mediaMaxTasks' });
    if (config.mediaTargetCallsPerTask > config.mediaMaxCallsPerTask)
      ctx.addIssue({
        code: 'custom',
        path: ['mediaTargetCallsPerTask'],
        message: 'must not exceed mediaMaxCallsPerTask',
      });
    if (Boolean(config.apiDomainName) !== Boolean(config.apiCertificateArn))
      ctx.addIssue({
        code: 'custom',
        path: ['apiDomainName'],
        message: 'apiDomainName and apiCertificateArn go together',
      });
    if (config.mediaDomainName && !config.mediaCertificateArn)
      ctx.addIssue({
        code: 'custom',
        path: ['mediaDomainName'],
        message: 'a media domain needs mediaCertificateArn',
      });
    if (config.ariUrl && !config.asteriskCidr)
      ctx.addIssue({
        code: 'custom',
        path: ['asteriskCidr'],
        message: 'ariUrl needs asteriskCidr (the network the Asterisk host sends RTP from)',
      });
    // The media service refuses to start with ARI_URL but no ARI_USERNAME: catch it at synth.
    if (config.ariUrl && !config.ariUsername)
      ctx.addIssue({
        code: 'custom',
        path: ['ariUsername'],
        message: 'ariUrl needs ariUsername (the ari.conf user)',
      });
    // The media service's own checks (ASTERISK_MODE=per_call), caught at synth instead of at task start.
    if (config.asteriskMode === 'per_call') {
      if (!config.ariUrl)
        ctx.addIssue({
          code: 'custom',
          path: ['ariUrl'],
          message: 'per_call needs ariUrl (media sockets, dialing)',
        });
      if (!config.asteriskPercallUsername)
        ctx.addIssue({
          code: 'custom',
          path: ['asteriskPercallUsername'],
          message: 'per_call needs asteriskPercallUsername (the websocket_client.conf user)',
        });
      if (config.asteriskMedia === 'rtp')
        ctx.addIssue({
          code: 'custom',
          path: ['asteriskMedia'],
          message: 'per_call always uses websocket media',
        });
    }
  });

/** Whether media tasks exchange RTP with Asterisk (and need the UDP port range open). */
export const usesRtpMedia = (config: Pick<DeploymentConfig, 'asteriskMode' | 'asteriskMedia'>): boolean =>
  config.asteriskMode === 'classic' && config.asteriskMedia !== 'websocket';

export type DeploymentConfig = z.output<typeof DeploymentConfigSchema>;
export const CONFIG_KEYS = Object.keys(DeploymentConfigSchema.shape) as (keyof DeploymentConfig)[];

export class DeploymentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentConfigError';
  }
}

/** Builds the config from a context reader (`key => app.node.tryGetContext(key)`); names every bad key. */
export function readDeploymentConfig(get: (key: string) => unknown): DeploymentConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = get(key);
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }
  raw.stage ??= 'dev';
  const result = DeploymentConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new DeploymentConfigError(`Invalid CDK context: ${problems.join('; ')}`);
  }
  return result.data;
}
