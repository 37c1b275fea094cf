import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UnavailableError } from '../errors/app-error.ts';
import { configSource } from '../config/config-source.ts';

/**
 * The session signing keyring: `{"current":"<kid>","<kid>":"<secret>",…}`. The current key signs;
 * every listed key verifies. To rotate, add a new kid and point `current` at it; remove the old
 * kid (retire it) once the access tokens it signed have expired (15 minutes).
 */
export interface Keyring {
  currentKid: string;
  keys: ReadonlyMap<string, Uint8Array>;
}

/** Secrets shorter than this are refused: HS256 needs at least 256 bits. */
const MIN_SECRET_BYTES = 32;

export function parseKeyring(json: string): Keyring {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new UnavailableError('The session signing keys are not valid JSON.', { cause: error });
  }
  if (!raw || typeof raw !== 'object') throw new UnavailableError('The session signing keys are malformed.');
  const { current, ...rest } = raw as Record<string, unknown>;
  const keys = new Map<string, Uint8Array>();
  for (const [kid, secret] of Object.entries(rest)) {
    if (typeof secret !== 'string' || Buffer.byteLength(secret) < MIN_SECRET_BYTES) continue;
    keys.set(kid, new TextEncoder().encode(secret));
  }
  if (typeof current !== 'string' || !keys.has(current))
    throw new UnavailableError('The current session signing key is missing or shorter than 32 bytes.');
  return { currentKid: current, keys };
}

export interface KeyringSource {
  /** The keyring; `refresh` forces a re-read (a token signed by a kid this process has not seen yet). */
  get(options?: { refresh?: boolean }): Promise<Keyring>;
}

/**
 * Reads the keyring from its own Secrets Manager secret (`SESSION_KEYS_SECRET_ARN`) or, locally,
 * from `SESSION_SIGNING_KEYS`; cached for five minutes so a rotation reaches every instance.
 */
export function createKeyringSource(
  options: {
    secretArn?: string;
    endpoint?: string;
    region?: string;
    json?: string;
    ttlMs?: number;
    now?: () => number;
  } = {},
): KeyringSource {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  let client: SecretsManagerClient | undefined;
  let cached: { keyring: Keyring; at: number } | undefined;
  let lastForcedAt = 0;
  const read = async (): Promise<string> => {
    if (!options.secretArn) {
      if (!options.json) throw new UnavailableError('SESSION_SIGNING_KEYS is not configured.');
      return options.json;
    }
    client ??= new SecretsManagerClient({ region: options.region, endpoint: options.endpoint });
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: options.secretArn }));
      return out.SecretString ?? '';
    } catch (error) {
      throw new UnavailableError('The session signing keys could not be loaded.', { cause: error });
    }
  };
  return {
    async get({ refresh = false } = {}) {
      // Forced re-reads are limited to one a second so forged kids cannot hammer Secrets Manager.
      const force = refresh && now() - lastForcedAt > 1_000;
      if (force) lastForcedAt = now();
      if (cached && !force && now() - cached.at < ttlMs) return cached.keyring;
      cached = { keyring: parseKeyring(await read()), at: now() };
      return cached.keyring;
    },
  };
}

let processSource: KeyringSource | undefined;
export function keyringFromEnv(env: Record<string, string | undefined> = configSource()): KeyringSource {
  processSource ??= createKeyringSource({
    secretArn: env.SESSION_KEYS_SECRET_ARN || undefined,
    endpoint: env.SECRETS_ENDPOINT || undefined,
    region: env.AWS_REGION || undefined,
    json: env.SESSION_SIGNING_KEYS || undefined,
  });
  return processSource;
}
export function resetKeyringCache(): void {
  processSource = undefined;
}
