import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { buildUpdate } from '../data/update-expression.ts';
import { UnavailableError } from '../errors/app-error.ts';
import { campaignKeys } from './campaign-keys.ts';

/** How long a lease holds if its holder dies; a holder writes only in the first half of it. */
export const INTAKE_LEASE_MS = 60_000;
/** How long a writer waits for another's lease before answering "busy, try again". */
const WAIT_MS = 20_000;

/**
 * The campaign's intake lease, on its counts item: only the holder adds contacts. Contacts are
 * created by intake alone (every other writer updates an existing contact under a condition), so
 * while the lease is held a number found absent stays absent, and unconditional batch writes
 * of those numbers can never replace a contact. `run` gets `stillMine()`, true while the lease
 * has at least half its time left: the holder checks it before each write, so a stalled holder
 * never writes after another could have taken over.
 */
export async function withIntakeLease<T>(
  db: Db,
  campaignId: string,
  run: (stillMine: () => boolean) => Promise<T>,
): Promise<T> {
  const owner = randomUUID();
  const waitUntil = Date.now() + WAIT_MS;
  let takenAt = Date.now();
  for (let round = 0; ; round++) {
    takenAt = Date.now();
    if (await take(db, campaignId, owner, takenAt)) break;
    if (Date.now() >= waitUntil)
      throw new UnavailableError('Contacts are being added to this campaign by another request; try again.');
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
  }
  try {
    return await run(() => Date.now() < takenAt + INTAKE_LEASE_MS / 2);
  } finally {
    await release(db, campaignId, owner).catch(() => undefined);
  }
}

async function take(db: Db, campaignId: string, owner: string, now: number): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.counts(campaignId),
        ...buildUpdate({
          set: { intakeLeaseOwner: owner, intakeLeaseUntil: now + INTAKE_LEASE_MS },
          condition: {
            expression: 'attribute_not_exists(#until) OR #until <= :now',
            names: { '#until': 'intakeLeaseUntil' },
            values: { ':now': now },
          },
        }),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

async function release(db: Db, campaignId: string, owner: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.counts(campaignId),
        ...buildUpdate({
          remove: ['intakeLeaseOwner', 'intakeLeaseUntil'],
          condition: {
            expression: '#owner = :owner',
            names: { '#owner': 'intakeLeaseOwner' },
            values: { ':owner': owner },
          },
        }),
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
  }
}
