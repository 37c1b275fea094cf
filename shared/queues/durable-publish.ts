import type { SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { deleteDue, dueIndexAttributes, listDue } from '../data/due-index.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { ConflictError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { type CallEvent, CallEventSchema } from './contracts.ts';
import { buildCallEvent, type CallEventInput, publishCallEvent, type QueueUrls } from './publisher.ts';

/** Longest a call's start or end waits on the queue before the event is deferred instead. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 3_000;
/** Deferred events are retried with this backoff (doubling, capped), for about a week. */
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 15 * 60_000;
const OUTBOX_TTL_SECONDS = 14 * 24 * 3600;

export interface DurablePublishDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
  /** `SQS_PUBLISH_TIMEOUT_MS`; DEFAULT_PUBLISH_TIMEOUT_MS when absent. */
  publishTimeoutMs?: number;
}

/**
 * Publishes a call event within a time bound. When the queue does not take it in time (or
 * refuses it), the event is recorded in the table's outbox and `publishDeferredEvents` sends it
 * later with the same event id (consumers deduplicate on it), so a call's start or end never
 * waits on an unreachable queue and the event is not lost. Rejects only when the outbox write
 * fails as well.
 */
export async function publishCallEventDurably(
  deps: DurablePublishDeps,
  input: CallEventInput,
  now: () => Date = () => new Date(),
): Promise<{ event: CallEvent; deferred: boolean }> {
  const event = buildCallEvent(input);
  try {
    await publishCallEvent(deps.sqs, deps.queueUrls, event, {
      abortSignal: AbortSignal.timeout(deps.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS),
    });
    return { event, deferred: false };
  } catch (error) {
    deps.logger.warn('call event deferred: the queue did not take it', {
      eventId: event.eventId,
      eventType: event.type,
      callId: event.callId,
      err: error,
    });
    await deferCallEvent(deps.db, event, now());
    return { event, deferred: true };
  }
}

/**
 * The outbox item of an event, due at `dueAt` (stored as JSON so any key round-trips); for a
 * caller that writes it in its own transaction.
 */
export function outboxItem(event: CallEvent, dueAt: Date) {
  return {
    ...keys.outboxEvent(event.eventId),
    ...dueIndexAttributes('outbox', dueAt, event.eventId),
    type: 'outboxEvent',
    body: JSON.stringify(event),
    attempts: 0,
    expiresAt: Math.floor(dueAt.getTime() / 1000) + OUTBOX_TTL_SECONDS,
  };
}

/** Records an event in the outbox, due at once. */
export async function deferCallEvent(db: Db, event: CallEvent, now: Date): Promise<void> {
  await dynamo(() => db.doc.send(new PutCommand({ TableName: db.tableName, Item: outboxItem(event, now) })));
}

/**
 * Sends the outbox's due events (the sweeper's retry path): each success removes its item; a
 * failure moves it later with backoff. Returns how many were published and how many wait again.
 */
export async function publishDeferredEvents(
  deps: DurablePublishDeps,
  options: { now?: Date; limit?: number } = {},
): Promise<{ published: number; failed: number }> {
  const now = options.now ?? new Date();
  const due = await listDue(deps.db, 'outbox', now, options.limit ?? 100);
  let published = 0;
  let failed = 0;
  for (const item of due) {
    const parsed = CallEventSchema.safeParse(JSON.parse(String(item.body ?? 'null')));
    const key = { pk: String(item.pk), sk: String(item.sk) };
    if (!parsed.success) {
      deps.logger.error('outbox item is not a call event; dropped', { pk: key.pk });
      await deleteDue(deps.db, key);
      continue;
    }
    const event = parsed.data;
    try {
      await publishCallEvent(deps.sqs, deps.queueUrls, event as CallEventInput, {
        abortSignal: AbortSignal.timeout(deps.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS),
      });
      await deleteDue(deps.db, key);
      published++;
    } catch (error) {
      failed++;
      const attempts = Number(item.attempts ?? 0) + 1;
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
      deps.logger.warn('deferred call event still not published', {
        eventId: event.eventId,
        attempts,
        err: error,
      });
      await dynamo(() =>
        deps.db.doc.send(
          new UpdateCommand({
            TableName: deps.db.tableName,
            Key: key,
            UpdateExpression: 'SET attempts = :a, gsi1sk = :sk',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: {
              ':a': attempts,
              ':sk': dueIndexAttributes('outbox', new Date(now.getTime() + delayMs), event.eventId).gsi1sk,
            },
          }),
        ),
      ).catch((updateError: unknown) => {
        // Gone: an overlapping sweep published and removed it.
        if (!(updateError instanceof ConflictError)) throw updateError;
      });
    }
  }
  return { published, failed };
}
