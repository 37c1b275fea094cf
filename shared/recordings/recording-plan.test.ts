import { describe, expect, it } from 'vitest';
import type { Call } from '../calls/call-types.ts';
import { AN, endedCallDeltas } from '../analytics/analytics-counters.ts';
import { recordingPlanFor } from './recording-plan.ts';
import type { CallRecording } from './recording-types.ts';

const settings = { enabled: true, channels: 'mono' as const, retentionDays: 90 as const };

describe('recordingPlanFor', () => {
  it.each([
    { name: 'agent without recording', agent: undefined, call: undefined, plan: undefined },
    {
      name: 'agent with recording disabled',
      agent: { ...settings, enabled: false },
      call: undefined,
      plan: undefined,
    },
    {
      name: 'agent recording',
      agent: settings,
      call: undefined,
      plan: { channels: 'mono', retentionDays: 90 },
    },
    {
      name: 'agent recording with a disclosure',
      agent: { ...settings, disclosure: 'Recorded.' },
      call: undefined,
      plan: { channels: 'mono', retentionDays: 90, disclosure: 'Recorded.' },
    },
    {
      name: 'the call turned recording off',
      agent: settings,
      call: { status: 'off' as const },
      plan: undefined,
    },
  ])('$name', ({ agent, call, plan }) => {
    expect(recordingPlanFor({ recording: call }, { recording: agent })).toEqual(plan);
  });
});

describe('recorded calls counter', () => {
  const ended = (recording?: CallRecording) =>
    endedCallDeltas({
      call: { status: 'completed', direction: 'inbound', provider: 'twilio', recording } as Call,
      connectedSeconds: 60,
      billableSeconds: 60,
      chargeMicros: 0,
      escalations: 0,
    })[AN.recordedCalls];

  it.each([
    ['not recorded', undefined, undefined],
    ['turned off', { status: 'off' }, undefined],
    ['failed', { status: 'failed' }, undefined],
    ['stored', { status: 'ready' }, 1],
    ['stored, since deleted (a rebuild)', { status: 'deleted' }, 1],
  ] as const)('%s', (_name, recording, count) => {
    expect(ended(recording as CallRecording | undefined)).toBe(count);
  });
});
