import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, ConflictError, NotFoundError } from '../errors/app-error.ts';
import type { Role } from '../people/permissions.ts';
import type { Db } from './client.ts';
import { cancellationReasons, dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys, tenantPk } from './keys.ts';
import { type Page, queryPage, stripKeys } from './pagination.ts';

/** A team member as stored (credentials included: never returned by the API as is). */
export interface UserRecord {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  mfaEnabled: boolean;
  /** Sealed TOTP seed (shared/people/secret-box.ts), set once enrolment is confirmed. */
  mfaSecret?: string;
  /** Sealed seed of an enrolment not yet confirmed by a first code. */
  mfaPendingSecret?: string;
  /** Time step of the last accepted TOTP code (replay protection). */
  mfaLastStep?: number;
  recoveryCodeHashes?: string[];
  /** Sessions started before this instant (ms) are no longer valid (password reset). */
  sessionsValidAfterMs?: number;
  createdAt: string;
  updatedAt: string;
  lastSignInAt?: string;
}

export class LastOwnerError extends AppError {
  constructor() {
    super('last_owner', 'A tenant keeps at least one owner: promote someone else first.');
    this.name = 'LastOwnerError';
  }
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export async function getUser(db: Db, tenantId: string, userId: string): Promise<UserRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.user(tenantId, userId), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<UserRecord>(out.Item) : undefined;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.userEmail(normalizeEmail(email)),
        ConsistentRead: true,
      }),
    ),
  );
  if (!out.Item) return undefined;
  return getUser(db, String(out.Item.tenantId), String(out.Item.userId));
}

export function listUsers(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<UserRecord>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'USER#' },
    },
    { ...page, scope: `users:${tenantId}` },
    (item) => stripKeys<UserRecord>(item),
  );
}

const ownerDelta = (tenantId: string, delta: 1 | -1) => ({
  Update: {
    Key: keys.owners(tenantId),
    UpdateExpression: 'ADD #count :delta',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: delta === 1 ? { ':delta': 1 } : { ':delta': -1, ':one': 1 },
    // Only the last owner's departure is refused; the counter never goes below one.
    ...(delta === -1 ? { ConditionExpression: '#count > :one' } : {}),
  },
});

/** Puts a new user, claiming the email platform-wide; `extra` items join the same transaction. */
export async function insertUser(
  db: Db,
  user: UserRecord,
  extra: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [],
): Promise<void> {
  const items = [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.userEmail(user.email), type: 'userEmail', tenantId: user.tenantId, userId: user.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.user(user.tenantId, user.id), type: 'user', ...user },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...(user.role === 'owner'
      ? [{ Update: { TableName: db.tableName, ...ownerDelta(user.tenantId, 1).Update } }]
      : []),
    ...extra,
  ];
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[0] === 'ConditionalCheckFailed')
      throw new ConflictError('A user with this email already exists.', { cause: error });
    throw translateDynamoError(error, 'The invitation was already used or has expired.');
  }
}

/** Changes name and/or role; moving the last owner away from `owner` is refused. */
export async function updateUser(
  db: Db,
  current: UserRecord,
  changes: { name?: string; role?: Role },
  now = new Date(),
): Promise<UserRecord> {
  const updated: UserRecord = { ...current, ...changes, updatedAt: now.toISOString() };
  const roleChange = changes.role !== undefined && changes.role !== current.role;
  const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
    {
      Update: {
        TableName: db.tableName,
        Key: keys.user(current.tenantId, current.id),
        UpdateExpression: 'SET #name = :name, #role = :role, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND #role = :was',
        ExpressionAttributeNames: { '#name': 'name', '#role': 'role' },
        ExpressionAttributeValues: {
          ':name': updated.name,
          ':role': updated.role,
          ':now': updated.updatedAt,
          ':was': current.role,
        },
      },
    },
  ];
  if (roleChange && current.role === 'owner')
    items.push({ Update: { TableName: db.tableName, ...ownerDelta(current.tenantId, -1).Update } });
  if (roleChange && updated.role === 'owner')
    items.push({ Update: { TableName: db.tableName, ...ownerDelta(current.tenantId, 1).Update } });
  await runOwnerTransaction(db, items);
  return updated;
}

export async function deleteUser(db: Db, user: UserRecord): Promise<void> {
  const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
    {
      Delete: {
        TableName: db.tableName,
        Key: keys.user(user.tenantId, user.id),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    { Delete: { TableName: db.tableName, Key: keys.userEmail(user.email) } },
  ];
  if (user.role === 'owner')
    items.push({ Update: { TableName: db.tableName, ...ownerDelta(user.tenantId, -1).Update } });
  await runOwnerTransaction(db, items);
}

async function runOwnerTransaction(
  db: Db,
  items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
): Promise<void> {
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons.slice(1).includes('ConditionalCheckFailed')) throw new LastOwnerError();
    if (reasons[0] === 'ConditionalCheckFailed') throw new NotFoundError('User not found.', { cause: error });
    throw translateDynamoError(error);
  }
}

/** Sets attributes of a user (credentials, MFA state) under an optional condition; false when it failed. */
export async function patchUser(
  db: Db,
  user: Pick<UserRecord, 'tenantId' | 'id'>,
  set: Partial<UserRecord>,
  options: {
    remove?: (keyof UserRecord)[];
    condition?: { expression: string; values: Record<string, unknown> };
  } = {},
): Promise<boolean> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...options.condition?.values };
  const assignments = Object.entries(set).map(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
    return `#f${i} = :v${i}`;
  });
  const removals = (options.remove ?? []).map((field, i) => {
    names[`#r${i}`] = field;
    return `#r${i}`;
  });
  const update = [
    assignments.length ? `SET ${assignments.join(', ')}` : '',
    removals.length ? `REMOVE ${removals.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.user(user.tenantId, user.id),
        UpdateExpression: update,
        ConditionExpression: ['attribute_exists(pk)', options.condition?.expression]
          .filter(Boolean)
          .join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}
