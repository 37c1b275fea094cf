import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '#shared/data/client.ts';
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
 * `CallRecorder` per such call and media task (a resumed call records its next segment),
 * spooling under RECORDING_SPOOL_DIR; `call.recording_ready` is announced once per call.
 */
export function recordingTaps(deps: RecordingTapDeps): AudioTapFactory {
  const spoolDir = deps.env.RECORDING_SPOOL_DIR ?? join(tmpdir(), 'ai-caller-recordings');
  return ({ call, agent, format, logger, resumes }) => {
    const plan = recordingPlanFor(call, agent);
    if (!plan) return undefined;
    return new CallRecorder({
      call: { tenantId: call.tenantId, callId: call.id, agentId: call.agentId },
      segment: resumes,
      channels: plan.channels,
      retentionDays: plan.retentionDays,
      format,
      target: deps.target,
      db: deps.db,
      logger: logger.child({ component: 'recorder' }),
      spoolDir,
      partBytes: deps.partBytes,
      checkpointSeconds: deps.env.RECORDING_CHECKPOINT_SECONDS,
      publish: {
        sqs: deps.sqs,
        queueUrls: deps.queueUrls,
        publishTimeoutMs: deps.env.SQS_PUBLISH_TIMEOUT_MS,
      },
    });
  };
}
