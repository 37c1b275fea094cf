import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { getCall } from '../data/calls.ts';
import { deleteDue, dueIndexAttributes, listDue } from '../data/due-index.ts';
import { dynamo } from '../data/dynamo-errors.ts';
import { keys } from '../data/keys.ts';
import { ConflictError } from '../errors/app-error.ts';
import type { TwilioRestConfig } from '../twilio/rest-client.ts';
import { reconcileUnstreamedTwilioCall } from '../twilio/twilio-reconcile.ts';
import { isTerminal } from './call-status.ts';
import type { Call } from './call-types.ts';
import type { CallProvider } from './providers.ts';
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

/** How a call that never streamed is stored. */
export type UnstreamedVerdict = { status: 'failed' | 'busy' | 'no_answer' | 'canceled'; reason: string };
/** Asks the call's provider about it; undefined when it has nothing better than `stream_timeout`. */
export type ReconcileUnstreamed = (
  deps: StreamSweepDeps,
  call: Call,
) => Promise<UnstreamedVerdict | undefined>;
const TIMED_OUT: UnstreamedVerdict = { status: 'failed', reason: 'stream_timeout' };

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
 * Providers that can say what became of a call whose stream never connected (busy, unanswered,
 * still ringing into silence); the others' calls end as `stream_timeout`.
 */
const RECONCILE_UNSTREAMED: { readonly [P in CallProvider]?: ReconcileUnstreamed } = {
  twilio: reconcileUnstreamedTwilioCall,
};

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
      const verdict = (await RECONCILE_UNSTREAMED[call.provider]?.(deps, call)) ?? TIMED_OUT;
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
