import { describe, expect, it } from 'vitest';
import { getAgent, replaceAgent } from '#shared/data/agents.ts';
import {
  appendsReceived,
  pattern,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';
import { downloadWav, testRecordingsBucket } from '../../../test/recording/recording-s3.ts';
import { MULAW_SILENCE } from './g711.ts';
import { deinterleave } from './recording-frames.ts';

const { media, setup, inboundCall } = useAsteriskHarness();

describe('a recorded Asterisk call (real RTP on loopback)', () => {
  it('stores the caller RTP byte for byte on the left and the paced greeting once on the right', async () => {
    const h = media();
    const agent = await getAgent(h.db, h.tenantId, h.agentId);
    if (!agent) throw new Error('harness agent missing');
    const { id: _i, tenantId: _t, createdAt: _c, updatedAt: _u, ...fields } = agent;
    await replaceAgent(h.db, agent, {
      ...fields,
      recording: { enabled: true, channels: 'dual', retentionDays: 7 },
    });

    const s = await setup();
    const { channel, call, model, session, ourRtp } = await inboundCall(s);
    const greeting = pattern(160 * 8, 1);
    model.speak('resp_1', 'item_a1', [greeting], 'Hello.');
    const caller = pattern(160 * 50, 3); // one second of caller RTP, paced
    await s.peer.startSending(ourRtp, caller);
    await appendsReceived(model, caller.length);
    await s.peer.waitForPackets(8);
    s.ari.hangUp(channel.id);
    await session.closed;

    const record = await h.callRecord(call.id);
    expect(record?.recording).toMatchObject({ status: 'ready', channels: 'dual', durationSeconds: 1 });
    const wav = await downloadWav(testRecordingsBucket(), record?.recording?.segments?.['0']?.key as string);
    expect(wav.info).toMatchObject({ formatTag: 7, channels: 2, sampleRate: 8000, dataBytes: 16_000 });
    const { left, right } = deinterleave(wav.data);
    expect(left).toEqual(caller);
    const at = right.indexOf(greeting);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(right.subarray(0, at).every((b) => b === MULAW_SILENCE)).toBe(true);
    expect(right.subarray(at + greeting.length).every((b) => b === MULAW_SILENCE)).toBe(true);
  });
});
