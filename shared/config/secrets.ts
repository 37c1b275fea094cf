import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UnavailableError } from '../errors/app-error.ts';
import { env } from './env.ts';
import { configSource } from './config-source.ts';

/** Secret values the platform needs. In AWS they are keys of one JSON secret (`SECRETS_ARN`). */
export const SECRET_NAMES = [
  'OPENAI_API_KEY',
  'TWILIO_AUTH_TOKEN',
  'ARI_PASSWORD',
  'STRIPE_API_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'ADMIN_API_KEY',
  'INTERNAL_SIGNING_KEY',
  'ASTERISK_PERCALL_PASSWORD',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface SecretStoreOptions {
  /** ARN of a JSON secret whose keys are secret names; when absent, values come from `env`. */
  secretArn?: string;
  /** A Secrets Manager-compatible endpoint (local stand-in); AWS's by default. */
  endpoint?: string;
  region?: string;
  env?: Record<string, string | undefined>;
  ttlMs?: number;
  now?: () => number;
}

export interface SecretStore {
  get(name: SecretName): Promise<string | undefined>;
  require(name: SecretName): Promise<string>;
}

/**
 * Reads secrets lazily and caches them for `ttlMs` (5 minutes by default), so a rotated secret is
 * picked up without a restart and a warm Lambda does not call Secrets Manager per request.
 * Values are never logged: callers receive strings and nothing here writes them anywhere.
 */
export function createSecretStore(options: SecretStoreOptions = {}): SecretStore {
  // Read at each lookup, so a store outlives a change of the process's config source.
  const fallback = () => options.env ?? configSource();
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let client: SecretsManagerClient | undefined;
  let cache: { values: Record<string, string>; expiresAt: number } | undefined;
  let inflight: Promise<Record<string, string>> | undefined;

  const fetchAll = async (): Promise<Record<string, string>> => {
    if (!options.secretArn) return {};
    client ??= new SecretsManagerClient({ region: options.region, endpoint: options.endpoint });
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: options.secretArn }));
      const parsed: unknown = JSON.parse(out.SecretString ?? '{}');
      if (!parsed || typeof parsed !== 'object') return {};
      return Object.fromEntries(
        Object.entries(parsed as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
    } catch (error) {
      throw new UnavailableError('Secrets could not be loaded.', { cause: error });
    }
  };

  const load = async (): Promise<Record<string, string>> => {
    if (cache && cache.expiresAt > now()) return cache.values;
    inflight ??= fetchAll().finally(() => {
      inflight = undefined;
    });
    const values = await inflight;
    cache = { values, expiresAt: now() + ttlMs };
    return values;
  };

  const get = async (name: SecretName): Promise<string | undefined> => {
    if (options.secretArn) {
      const value = (await load())[name];
      if (value) return value;
    }
    const fromEnv = fallback()[name];
    return fromEnv ? fromEnv : undefined;
  };

  return {
    get,
    async require(name) {
      const value = await get(name);
      if (!value) throw new UnavailableError(`The secret ${name} is not configured.`);
      return value;
    },
  };
}

let processStore: SecretStore | undefined;
/** The process-wide store built from the parsed configuration (values without an ARN: the environment). */
export function secrets(): SecretStore {
  const config = env();
  processStore ??= createSecretStore({
    secretArn: config.SECRETS_ARN,
    endpoint: config.SECRETS_ENDPOINT,
    region: config.AWS_REGION,
    ttlMs: config.secretsCacheTtlMs,
  });
  return processStore;
}
export function resetSecretsCache(): void {
  processStore = undefined;
}
