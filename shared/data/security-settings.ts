import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { keys } from './keys.ts';

/** A tenant's sign-in policy. */
export interface SecuritySettings {
  /** Every member must use MFA: until enrolled, a session can only enrol (403 mfa_enrollment_required). */
  mfaRequired: boolean;
  updatedAt?: string;
}

export async function getSecuritySettings(db: Db, tenantId: string): Promise<SecuritySettings> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.security(tenantId), ConsistentRead: true }),
    ),
  );
  return {
    mfaRequired: out.Item?.mfaRequired === true,
    ...(out.Item?.updatedAt ? { updatedAt: String(out.Item.updatedAt) } : {}),
  };
}

export async function putSecuritySettings(
  db: Db,
  tenantId: string,
  settings: { mfaRequired: boolean },
  now = new Date(),
): Promise<SecuritySettings> {
  const stored = { mfaRequired: settings.mfaRequired, updatedAt: now.toISOString() };
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.security(tenantId), type: 'security', ...stored },
      }),
    ),
  );
  return stored;
}
