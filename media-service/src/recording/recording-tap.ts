import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '#shared/data/client.ts';
import { publishCallEventDurably } from '#shared/queues/durable-publish.ts';
import type { RecordingsBucket } from '#shared/recordings/recording-objects.ts';
import { recordingPlanFor } from '#shared/recordings/recording-plan.ts';
import type { AudioTapFactory } from '../session/audio-taps.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import { CallRecorder } from './call-recorder.ts';

export interface RecordingTapDeps extends Pick<SessionDeps, 'env' | 'sqs' | 'queueUrls'> {
  db: Db;
  target: RecordingsBucket;
  /** Part size override (tests); S3's 5 MiB minimum otherwise. */
  partBytes?: number;
}

/**
 * The audio tap that records calls whose agent records them (and the call did not opt out): one
 * `CallRecorder` per such call, spooling under RECORDING_SPOOL_DIR, announcing
 * `call.recording_ready` once stored.
 */
export function recordingTaps(deps: RecordingTapDeps): AudioTapFactory {
  const spoolDir = deps.env.RECORDING_SPOOL_DIR ?? join(tmpdir(), 'ai-caller-recordings');
  return ({ call, agent, format, logger }) => {
    const plan = recordingPlanFor(call, agent);
    if (!plan) return undefined;
    const ref = { tenantId: call.tenantId, callId: call.id, agentId: call.agentId };
    return new CallRecorder({
      call: ref,
      channels: plan.channels,
      retentionDays: plan.retentionDays,
      format,
      target: deps.target,
      db: deps.db,
      logger: logger.child({ component: 'recorder' }),
      spoolDir,
      partBytes: deps.partBytes,
      onReady: async (ready) => {
        await publishCallEventDurably(
          {
            db: deps.db,
            sqs: deps.sqs,
            queueUrls: deps.queueUrls,
            logger,
            publishTimeoutMs: deps.env.SQS_PUBLISH_TIMEOUT_MS,
          },
          { type: 'call.recording_ready', ...ref, ...ready },
        );
      },
    });
  };
}
