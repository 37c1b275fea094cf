import { secrets } from '../config/secrets.ts';
import { type Db, dbFromEnv } from '../data/client.ts';
import { type KeyringSource, keyringFromEnv } from './signing-keys.ts';

/** What the sign-in flows need: the table, the session keyring and the key that seals TOTP seeds. */
export interface PeopleDeps {
  db: Db;
  keyring: KeyringSource;
  /** INTERNAL_SIGNING_KEY: seals TOTP seeds and peppers recovery-code hashes. */
  masterKey: string;
}

export async function peopleDepsFromEnv(): Promise<PeopleDeps> {
  return {
    db: dbFromEnv(),
    keyring: keyringFromEnv(),
    masterKey: await secrets().require('INTERNAL_SIGNING_KEY'),
  };
}

/** Where a request came from, for throttling and the audit log. */
export interface RequestOrigin {
  sourceIp?: string;
  userAgent?: string;
}
