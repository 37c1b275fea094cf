import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { getCall } from '../data/calls.ts';
import { deleteDue } from '../data/due-index.ts';
import { isConditionFailure } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import {
  DEFAULT_PUBLISH_TIMEOUT_MS,
  type DurablePublishDeps,
  outboxItem,
} from '../queues/durable-publish.ts';
import { buildCallEvent, publishCallEvent } from '../queues/publisher.ts';
import { type RecordingSummary, summarizeRecording } from './recording-segments.ts';
import type { RecordingChannels } from './recording-types.ts';

/** Held back this long in the outbox, so the direct publish below normally goes first. */
const OUTBOX_GRACE_MS = 60_000;
const MAX_TRIES = 5;

export interface RecordingAnnouncement {
  durationSeconds: number;
  bytes: number;
  channels: RecordingChannels;
}

/**
 * Recomputes the call's recording status from its segments after one of them changed, and
 * announces `call.recording_ready` once per call: when the call is over and every segment
 * settled. The summary is written only over the segment revision it was computed from (a
 * concurrent segment write makes it try again), and the announcement is claimed on the call
 * together with an outbox copy of the event in one transaction, so it is sent once even when
 * the recorder and the sweeper settle at the same moment, and not lost if this process dies
 * before publishing. Returns what was announced, if this call announced it.
 */
export async function settleRecording(
  deps: DurablePublishDeps,
  ref: { tenantId: string; callId: string },
  now = new Date(),
): Promise<RecordingAnnouncement | undefined> {
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const call = await getCall(deps.db, ref.tenantId, ref.callId);
    const recording = call?.recording;
    const summary = summarizeRecording(recording, { ended: Boolean(call?.endedAt) });
    if (!call || !recording || !summary) return undefined;
    const channels = recording.channels ?? 'dual';
    const announcement = summary.announce
      ? { durationSeconds: summary.durationSeconds ?? 0, bytes: summary.bytes ?? 0, channels }
      : undefined;
    const event = announcement
      ? buildCallEvent({ type: 'call.recording_ready', ...ref, agentId: call.agentId, ...announcement })
      : undefined;
    try {
      await deps.db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: deps.db.tableName,
                Key: keys.call(ref.tenantId, ref.callId),
                ...summaryUpdate(summary, recording.revision ?? 0, now),
              },
            },
            ...(event
              ? [
                  {
                    Put: {
                      TableName: deps.db.tableName,
                      Item: outboxItem(event, new Date(now.getTime() + OUTBOX_GRACE_MS)),
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) continue;
      throw error;
    }
    if (!event || !announcement) return undefined;
    try {
      await publishCallEvent(deps.sqs, deps.queueUrls, event, {
        abortSignal: AbortSignal.timeout(deps.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS),
      });
      await deleteDue(deps.db, keys.outboxEvent(event.eventId));
    } catch (error) {
      // The outbox copy is sent by the sweeper, with the same event id.
      deps.logger.warn('call.recording_ready deferred to the outbox', { callId: ref.callId, err: error });
    }
    return announcement;
  }
  deps.logger.warn('recording status not recomputed: its segments kept changing', { callId: ref.callId });
  return undefined;
}

/** The call-level fields from `summary`, written over `revision`; the announcement claimed with it. */
function summaryUpdate(summary: RecordingSummary, revision: number, now: Date) {
  const names: Record<string, string> = { '#r': 'recording', '#rev': 'revision' };
  const values: Record<string, unknown> = { ':rev': revision };
  const sets: string[] = [];
  const removes: string[] = [];
  const fields = [
    'status',
    'durationSeconds',
    'bytes',
    'completedAt',
    'expiresAt',
    'failure',
    'failedSegments',
  ] as const;
  for (const field of fields) {
    names[`#${field}`] = field;
    const value = summary[field];
    if (value === undefined) removes.push(`#r.#${field}`);
    else {
      values[`:${field}`] = value;
      sets.push(`#r.#${field} = :${field}`);
    }
  }
  let condition = 'attribute_not_exists(#r.#rev) OR #r.#rev = :rev';
  if (revision > 0) condition = '#r.#rev = :rev';
  if (summary.announce) {
    names['#announced'] = 'readyAnnouncedAt';
    values[':now'] = now.toISOString();
    sets.push('#r.#announced = :now');
    condition = `(${condition}) AND attribute_not_exists(#r.#announced)`;
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
