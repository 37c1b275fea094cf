import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../ids/ids.ts';
import type { ApiKeyRecord, ApiKeyScope } from '../tenants/tenant-types.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { keys, tenantPk } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

/** Secrets are 32 random bytes; only their SHA-256 is stored (a fast hash suffices for 256-bit secrets). */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateApiKeySecret(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

interface StoredKey extends ApiKeyRecord {
  hash: string;
}

/** Creates a key; returns the record and the secret, which is never stored or shown again. */
export async function createApiKey(
  db: Db,
  input: {
    tenantId: string;
    name: string;
    scopes: ApiKeyScope[];
    /** Per-key request rate cap; the tenant's limit applies when absent. */
    requestsPerSecond?: number;
    secret?: string;
    now?: Date;
  },
): Promise<{ key: ApiKeyRecord; secret: string }> {
  const secret = input.secret ?? generateApiKeySecret();
  const hash = hashApiKey(secret);
  const key: ApiKeyRecord = {
    id: newId('apiKey'),
    tenantId: input.tenantId,
    name: input.name,
    scopes: input.scopes,
    prefix: secret.slice(0, 7),
    ...(input.requestsPerSecond !== undefined ? { requestsPerSecond: input.requestsPerSecond } : {}),
    createdAt: (input.now ?? new Date()).toISOString(),
  };
  await dynamo(
    () =>
      db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: db.tableName,
                Item: { ...keys.apiKey(key.tenantId, key.id), type: 'apiKey', ...key, hash },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: db.tableName,
                Item: {
                  ...keys.apiKeyHash(hash),
                  type: 'apiKeyHash',
                  keyId: key.id,
                  tenantId: key.tenantId,
                  scopes: key.scopes,
                  requestsPerSecond: key.requestsPerSecond,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    'That key already exists.',
  );
  return { key, secret };
}

/** Resolves a presented secret; strongly consistent, so a deleted key stops working at once. */
export async function findApiKeyBySecret(
  db: Db,
  secret: string,
): Promise<
  | {
      keyId: string;
      tenantId: string;
      scopes: ApiKeyScope[];
      requestsPerSecond?: number;
      lastUsedAt?: string;
    }
  | undefined
> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.apiKeyHash(hashApiKey(secret)),
        ConsistentRead: true,
      }),
    ),
  );
  if (!out.Item) return undefined;
  return {
    keyId: String(out.Item.keyId),
    tenantId: String(out.Item.tenantId),
    scopes: out.Item.scopes as ApiKeyScope[],
    requestsPerSecond:
      typeof out.Item.requestsPerSecond === 'number' ? out.Item.requestsPerSecond : undefined,
    lastUsedAt: typeof out.Item.lastUsedAt === 'string' ? out.Item.lastUsedAt : undefined,
  };
}

export function listApiKeys(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<ApiKeyRecord>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'APIKEY#' },
      ScanIndexForward: false,
    },
    { ...page, scope: `api-keys:${tenantId}` },
    (item) => {
      const { hash: _hash, ...rest } = stripKeys<StoredKey>(item);
      return rest;
    },
  );
}

/** Deletes a key and its hash lookup together. Returns false when the key does not exist. */
export async function deleteApiKey(db: Db, tenantId: string, keyId: string): Promise<boolean> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.apiKey(tenantId, keyId), ConsistentRead: true }),
    ),
  );
  if (!out.Item) return false;
  await dynamo(() =>
    db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: db.tableName, Key: keys.apiKey(tenantId, keyId) } },
          { Delete: { TableName: db.tableName, Key: keys.apiKeyHash(String(out.Item?.hash)) } },
        ],
      }),
    ),
  );
  return true;
}
