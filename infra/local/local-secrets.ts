import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Development-only secrets, generated once per checkout and kept in `.local/` (git-ignored). */
export interface LocalSecrets {
  ADMIN_API_KEY: string;
  INTERNAL_SIGNING_KEY: string;
  TWILIO_ACCOUNT_SID: string;
  TWILIO_AUTH_TOKEN: string;
  STRIPE_WEBHOOK_SECRET: string;
  /** Session signing keyring `{"current":kid, kid:secret}` (shared/people/signing-keys.ts). */
  SESSION_SIGNING_KEYS: string;
}

export function generateLocalSecrets(): LocalSecrets {
  return {
    ADMIN_API_KEY: `sk_admin_${randomBytes(24).toString('base64url')}`,
    INTERNAL_SIGNING_KEY: randomBytes(32).toString('base64url'),
    TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`,
    SESSION_SIGNING_KEYS: JSON.stringify({
      current: 'local-1',
      'local-1': randomBytes(32).toString('base64url'),
    }),
  };
}

/** Loads the checkout's secrets; secrets added to the platform since they were written are generated and saved. */
export function loadOrCreateLocalSecrets(path: string): LocalSecrets {
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalSecrets>;
    const complete = { ...generateLocalSecrets(), ...saved } as LocalSecrets;
    if (Object.keys(complete).length !== Object.keys(saved).length)
      writeFileSync(path, `${JSON.stringify(complete, null, 2)}\n`, { mode: 0o600 });
    return complete;
  }
  const created = generateLocalSecrets();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}
