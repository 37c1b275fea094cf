import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { getCall } from '../data/calls.ts';
import { deleteDue, dueIndexAttributes, listDue } from '../data/due-index.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { ConflictError } from '../errors/app-error.ts';
import { fetchTwilioCall, type TwilioRestConfig, updateTwilioCall } from '../twilio/rest-client.ts';
import { callStatusFromTwilio } from '../twilio/status-mapping.ts';
import { isTerminal } from './call-status.ts';
import type { Call } from './call-types.ts';
import { type EndUnconnectedCallDeps, endUnconnectedCall } from './end-unconnected-call.ts';

/**
 * After its last stream token expired, how long a call may still wait for its stream: a media
 * task that verified the token just before expiry is still admitting it.
 */
export const STREAM_TIMEOUT_GRACE_MS = 60_000;
const WATCH_TTL_SECONDS = 7 * 24 * 3600;
/** Watches looked at per sweep; the sweep runs every minute, so a backlog drains quickly. */
const SWEEP_LIMIT = 100;

/**
 * Records that `call` expects a media stream by `tokenExpiresAt`: the voice webhook calls this
 * each time it hands out a stream token (a retried webhook moves the deadline to its new token).
 */
export async function watchForStream(
  db: Db,
  call: Pick<Call, 'tenantId' | 'id'>,
  tokenExpiresAt: Date,
): Promise<void> {
  const dueAt = new Date(tokenExpiresAt.getTime() + STREAM_TIMEOUT_GRACE_MS);
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.streamWatch(call.id),
          ...dueIndexAttributes('stream', dueAt, call.id),
          type: 'streamWatch',
          tenantId: call.tenantId,
          callId: call.id,
          expiresAt: Math.floor(dueAt.getTime() / 1000) + WATCH_TTL_SECONDS,
        },
      }),
    ),
  );
}

export interface StreamSweepDeps extends EndUnconnectedCallDeps {
  /** Twilio REST, when configured: the call's real status decides how it is stored. */
  twilio?: () => Promise<TwilioRestConfig | undefined>;
}

type Verdict = { status: 'failed' | 'busy' | 'no_answer' | 'canceled'; reason: string };

/** Whether a media connection ever claimed the call (then its session owns the ending). */
async function streamClaimed(db: Db, callId: string): Promise<boolean> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.idempotency('stream-call', callId),
        ConsistentRead: true,
      }),
    ),
  );
  return Boolean(out.Item);
}

/**
 * Asks Twilio what became of the call. A call Twilio says ended unconnected keeps Twilio's
 * status; one still up (the caller hears silence) is hung up; either way nothing reached the agent.
 */
async function reconcileWithTwilio(deps: StreamSweepDeps, call: Call): Promise<Verdict> {
  const timedOut: Verdict = { status: 'failed', reason: 'stream_timeout' };
  const rest = call.provider === 'twilio' && call.providerCallId ? await deps.twilio?.() : undefined;
  if (!rest || !call.providerCallId) return timedOut;
  try {
    const remote = await fetchTwilioCall(rest, call.providerCallId);
    const status = callStatusFromTwilio(remote.status);
    if (status === 'busy' || status === 'no_answer' || status === 'canceled')
      return { status, reason: status };
    if (status && isTerminal(status)) return timedOut; // completed or failed there: no stream here
    await updateTwilioCall(rest, call.providerCallId, { status: 'completed' });
  } catch (error) {
    deps.logger.warn('twilio call status could not be reconciled', { callId: call.id, err: error });
  }
  return timedOut;
}

/**
 * Ends calls whose media stream never connected (or whose final status callback was lost) once
 * their token expired plus grace: stored failed with `stream_timeout` (or the provider's own
 * ending), zero duration so nothing is billed, the concurrent-call slot released, `call.ended`
 * published once. Reads only due watches (gsi1 DUE#stream). Idempotent: overlapping sweeps and
 * a late stream or callback all settle through the call's conditional status change.
 */
export async function sweepStreamTimeouts(
  deps: StreamSweepDeps,
  options: { now?: Date; limit?: number } = {},
): Promise<{ ended: number; cleared: number }> {
  const now = options.now ?? new Date();
  const due = await listDue(deps.db, 'stream', now, options.limit ?? SWEEP_LIMIT);
  let ended = 0;
  for (const watch of due) {
    const tenantId = String(watch.tenantId);
    const callId = String(watch.callId);
    const call = await getCall(deps.db, tenantId, callId);
    if (call && !isTerminal(call.status) && !(await streamClaimed(deps.db, callId))) {
      const verdict = await reconcileWithTwilio(deps, call);
      try {
        const result = await endUnconnectedCall(deps, call, verdict.status, verdict.reason);
        if (result.changed) {
          ended++;
          deps.logger.warn('call ended: its media stream never connected', {
            callId,
            tenantId,
            status: verdict.status,
          });
        }
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error; // ended another way meanwhile
      }
    }
    await deleteDue(deps.db, keys.streamWatch(callId));
  }
  return { ended, cleared: due.length };
}
