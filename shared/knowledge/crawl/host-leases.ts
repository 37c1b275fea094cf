import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../data/client.ts';
import { isConditionFailure } from '../../data/dynamo-errors.ts';
import { knowledgeKeys } from '../knowledge-keys.ts';

/**
 * A counting semaphore per host across every crawler instance: `limit` lease items per host
 * (`KBHOST#host / LEASE#i`). A fetch takes a free (or expired) lease with a conditional write and
 * deletes it when done; a crashed worker's lease expires by itself, so a slot is never lost.
 */
export interface HostLease {
  host: string;
  slot: number;
  id: string;
}

/** Takes one of the host's `limit` leases for `leaseMs`; undefined while all are held. */
export async function acquireHostLease(
  db: Db,
  host: string,
  limit: number,
  leaseMs: number,
  nowMs = Date.now(),
): Promise<HostLease | undefined> {
  const id = randomUUID();
  // Start at a random slot so concurrent workers do not all contend for slot 0.
  const offset = Math.floor(Math.random() * limit);
  for (let i = 0; i < limit; i++) {
    const slot = (offset + i) % limit;
    try {
      await db.doc.send(
        new PutCommand({
          TableName: db.tableName,
          Item: {
            ...knowledgeKeys.hostLease(host, slot),
            type: 'knowledgeHostLease',
            leaseId: id,
            leaseUntil: nowMs + leaseMs,
            expiresAt: Math.ceil((nowMs + leaseMs) / 1000) + 3_600,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': nowMs },
        }),
      );
      return { host, slot, id };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return undefined;
}

/** Gives a lease back (a lease that expired and was taken over is left to its new holder). */
export async function releaseHostLease(db: Db, lease: HostLease): Promise<void> {
  try {
    await db.doc.send(
      new DeleteCommand({
        TableName: db.tableName,
        Key: knowledgeKeys.hostLease(lease.host, lease.slot),
        ConditionExpression: 'leaseId = :id',
        ExpressionAttributeValues: { ':id': lease.id },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Runs `fetch` holding one of the host's leases. Waits for a free lease with jittered polls up to
 * `maxWaitMs`; when none frees up in that time, returns `busy` so the caller re-queues the page
 * instead of holding a consumer.
 */
export async function withHostLease<T>(
  db: Db,
  host: string,
  options: { limit: number; leaseMs: number; maxWaitMs: number; pollMs?: number },
  fetch: () => Promise<T>,
): Promise<{ busy: true } | { busy: false; value: T }> {
  const deadline = Date.now() + options.maxWaitMs;
  const pollMs = options.pollMs ?? 150;
  let lease = await acquireHostLease(db, host, options.limit, options.leaseMs);
  while (!lease) {
    if (Date.now() >= deadline) return { busy: true };
    await new Promise((resolve) => setTimeout(resolve, pollMs / 2 + Math.random() * pollMs));
    lease = await acquireHostLease(db, host, options.limit, options.leaseMs);
  }
  try {
    return { busy: false, value: await fetch() };
  } finally {
    await releaseHostLease(db, lease);
  }
}
