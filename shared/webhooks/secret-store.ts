import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { tenantPk } from '../data/keys.ts';
import { generateWebhookSecret } from './signing.ts';

/**
 * Per-tenant webhook signing secrets (`TENANT#t / WEBHOOKSECRET`). The secret must be usable for
 * signing, so it cannot be hashed: it is encrypted (AES-256-GCM, key derived from the platform's
 * INTERNAL_SIGNING_KEY) so a table export alone does not reveal it. It is returned to the tenant
 * only once, by the rotation call that created it. After a rotation the previous secret keeps
 * signing (as a second signature) for a grace period so receivers can switch without downtime.
 */
export const ROTATION_GRACE_SECONDS = 24 * 3600;

const secretKey = (tenantId: string) => ({ pk: tenantPk(tenantId), sk: 'WEBHOOKSECRET' });

function encryptionKey(masterKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, 'ai-caller', 'webhook-signing-secret', 32));
}

export function encryptSecret(plain: string, masterKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(masterKey), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
}

export function decryptSecret(sealed: string, masterKey: string): string {
  const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !data) throw new Error('Malformed sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(masterKey), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}

interface StoredSecrets {
  current: string;
  createdAt: string;
  previous?: string;
  previousExpiresAt?: string;
  version: number;
}

async function load(db: Db, tenantId: string): Promise<StoredSecrets | undefined> {
  const out = await dynamo(() =>
    db.doc.send(new GetCommand({ TableName: db.tableName, Key: secretKey(tenantId), ConsistentRead: true })),
  );
  return out.Item as StoredSecrets | undefined;
}

export interface RotatedSecret {
  secret: string;
  createdAt: string;
  /** Until then the previous secret also signs deliveries (absent on the first secret). */
  previousSecretExpiresAt?: string;
}

/**
 * Creates the tenant's first secret or rotates it. Guarded by `version`, so two concurrent
 * rotations cannot lose a secret silently: the loser retries on the new state.
 */
export async function rotateWebhookSecret(
  db: Db,
  tenantId: string,
  masterKey: string,
  now = new Date(),
): Promise<RotatedSecret> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await load(db, tenantId);
    const secret = generateWebhookSecret();
    const previousExpiresAt = existing
      ? new Date(now.getTime() + ROTATION_GRACE_SECONDS * 1000).toISOString()
      : undefined;
    const item: StoredSecrets = {
      current: encryptSecret(secret, masterKey),
      createdAt: now.toISOString(),
      previous: existing?.current,
      previousExpiresAt,
      version: (existing?.version ?? 0) + 1,
    };
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { ...secretKey(tenantId), type: 'webhookSecret', ...item },
          ConditionExpression: existing ? 'version = :v' : 'attribute_not_exists(pk)',
          ExpressionAttributeValues: existing ? { ':v': existing.version } : undefined,
        }),
      );
      return { secret, createdAt: item.createdAt, previousSecretExpiresAt: previousExpiresAt };
    } catch (error) {
      if (!isConditionFailure(error)) throw translateDynamoError(error);
    }
  }
  throw translateDynamoError(
    Object.assign(new Error('rotation raced'), { name: 'ConditionalCheckFailedException' }),
  );
}

/**
 * The secrets that sign a delivery now: the current one first, then the previous one while its
 * grace period lasts. A tenant without a secret gets one created here (deliveries are never
 * unsigned); it learns it by rotating.
 */
export async function signingSecrets(
  db: Db,
  tenantId: string,
  masterKey: string,
  now = new Date(),
): Promise<string[]> {
  let stored = await load(db, tenantId);
  if (!stored) {
    const first: StoredSecrets = {
      current: encryptSecret(generateWebhookSecret(), masterKey),
      createdAt: now.toISOString(),
      version: 1,
    };
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: { ...secretKey(tenantId), type: 'webhookSecret', ...first },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // A concurrent delivery created it first: use that one.
      if (!isConditionFailure(error)) throw translateDynamoError(error);
    }
    stored = await load(db, tenantId);
    if (!stored) throw new Error('webhook secret missing after creation');
  }
  const secrets = [decryptSecret(stored.current, masterKey)];
  if (stored.previous && stored.previousExpiresAt && Date.parse(stored.previousExpiresAt) > now.getTime())
    secrets.push(decryptSecret(stored.previous, masterKey));
  return secrets;
}
