import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NO_FAILURES, type ThrottleState } from '../people/throttle-policy.ts';
import type { Db } from './client.ts';
import { dynamo } from './dynamo-errors.ts';
import { keys } from './keys.ts';

/** Throttle subjects: emails are hashed so the table holds no address for unknown accounts. */
export const throttleSubject = {
  account: (email: string) => `acct#${createHash('sha256').update(email).digest('hex')}`,
  address: (ip: string) => `ip#${ip}`,
};

export async function getThrottle(db: Db, subject: string): Promise<ThrottleState> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.throttle(subject), ConsistentRead: true }),
    ),
  );
  if (!out.Item) return NO_FAILURES;
  return {
    failures: Number(out.Item.failures ?? 0),
    lastFailureMs: Number(out.Item.lastFailureMs ?? 0),
    blockedUntilMs: Number(out.Item.blockedUntilMs ?? 0),
    locked: out.Item.locked === true,
  };
}

/**
 * Stores a subject's state (last writer wins: concurrent failures may count once, which only makes
 * the throttle a little more lenient, never stuck). Kept two hours past the last failure.
 */
export async function putThrottle(db: Db, subject: string, state: ThrottleState): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.throttle(subject),
          type: 'throttle',
          ...state,
          expiresAt: Math.floor(Math.max(state.lastFailureMs, state.blockedUntilMs) / 1000) + 2 * 3600,
        },
      }),
    ),
  );
}
