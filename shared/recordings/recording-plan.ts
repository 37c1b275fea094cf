import type { Agent } from '../agents/agent-schema.ts';
import type { Call } from '../calls/call-types.ts';
import type { RecordingChannels } from './recording-types.ts';

export interface RecordingPlan {
  channels: RecordingChannels;
  retentionDays: number;
  disclosure?: string;
}

/**
 * Whether a call is recorded, and how: its agent records calls, and the call did not turn
 * recording off (`POST /v1/calls` with `recording: false` stores `recording.status: off`).
 */
export function recordingPlanFor(
  call: Pick<Call, 'recording'>,
  agent: Pick<Agent, 'recording'>,
): RecordingPlan | undefined {
  const settings = agent.recording;
  if (!settings?.enabled || call.recording?.status === 'off') return undefined;
  return {
    channels: settings.channels,
    retentionDays: settings.retentionDays,
    ...(settings.disclosure ? { disclosure: settings.disclosure } : {}),
  };
}
