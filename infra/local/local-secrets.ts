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
}

export function generateLocalSecrets(): LocalSecrets {
  return {
    ADMIN_API_KEY: `sk_admin_${randomBytes(24).toString('base64url')}`,
    INTERNAL_SIGNING_KEY: randomBytes(32).toString('base64url'),
    TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`,
  };
}

export function loadOrCreateLocalSecrets(path: string): LocalSecrets {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as LocalSecrets;
  const created = generateLocalSecrets();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}
