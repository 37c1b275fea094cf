import { describe, expect, it } from 'vitest';
import type { AmdOutcome } from '../../../fakes/asterisk/ari-server.ts';
import { APP, usePerCallHarness } from '../../../test/media-service/asterisk-percall-harness.ts';
import type { CallSession } from '../session/call-session.ts';

const { media, setup, outboundCall } = usePerCallHarness();

const MESSAGE = 'Hello, this is the clinic. Your appointment is tomorrow at ten. Goodbye.';
const OUTCOMES: Record<string, AmdOutcome> = {
  'PJSIP/+15550014444@trunk': { status: 'MACHINE', cause: 'LONGGREETING-2000-1500' },
  'PJSIP/+15550015555@trunk': { status: 'HUMAN', cause: 'HUMAN-1500-1500' },
};
const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

/**
 * Answering-machine detection in per-call mode: the dialing task originates into the `<app>-amd`
 * context (AMD() before Stasis()), the answered channel's per-call connection lands on another
 * task, which reads AMDSTATUS/AMDCAUSE over that connection and greets a person or leaves the
 * voicemail message over chan_websocket media.
 */
describe('Asterisk per-call mode: outbound calls with answering-machine detection', () => {
  async function dial(to: string) {
    const s = await setup({
      tasks: 2,
      pick: () => 1,
      amdOutcome: (endpoint) => OUTCOMES[endpoint] ?? { status: 'NOTSURE', cause: '' },
    });
    const [dialer, answerer] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const agent = await media().newAgent({ voicemail: { action: 'leave_message', message: MESSAGE } });
    const before = media().realtime.connections.length;
    const { call, command } = await outboundCall(to, { agentId: agent.id, machineDetection: true });
    await dialer.transport.originate(command);
    const model = await media().realtime.nextConfigured(before);
    return { s, answerer, call, model };
  }

  it('a machine: originated into the AMD context, the message goes out as media, then the call ends as voicemail', async () => {
    const { s, answerer, call, model } = await dial('+15550014444');
    const channelId = `ai-caller-out-${call.id}`;
    const originate = s.ari.requests.find((r) => r.method === 'POST' && r.path === '/ari/channels')!;
    expect(Object.fromEntries(originate.query)).toMatchObject({
      endpoint: 'PJSIP/+15550014444@trunk',
      context: `${APP}-amd`,
      extension: 's',
      priority: '1',
      channelId,
    });
    expect(originate.query.get('app')).toBeNull();
    expect(originate.body).toMatchObject({
      variables: { AI_CALLER_APP: APP, AI_CALLER_APP_ARGS: `outbound,${call.id},${call.tenantId}` },
    });
    // The verdict is read over the call's own per-call connection, on the answering task.
    const verdictReads = s.ari.requests.filter((r) => r.path === `/ari/channels/${channelId}/variable`);
    expect(verdictReads.map((r) => r.query.get('variable')).sort()).toEqual(['AMDCAUSE', 'AMDSTATUS']);
    expect(verdictReads.every((r) => r.conn !== undefined)).toBe(true);

    const request = await model.waitFor('response.create');
    expect(String((request.response as { instructions: string }).instructions)).toContain(`"${MESSAGE}"`);
    const session = answerer.service.registry.get(call.id) as CallSession;
    const mediaChannelId = `ai-caller-media-${call.id}`;
    await s.ari.waitUntil(() => s.ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels.length === 2);
    const spoken = pattern(160 * 4, 9);
    model.speak('resp_vm', 'item_vm', [spoken], MESSAGE);
    const socket = s.ari.mediaSockets.get(mediaChannelId)!;
    await s.ari.waitUntil(() => socket.received.length >= 4);
    expect(Buffer.concat(socket.received)).toEqual(spoken);
    await session.closed;

    await s.ari.waitUntil(() => s.ari.channels.size === 0 && s.ari.bridges.size === 0);
    const record = await media().callRecord(call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'voicemail' });
    expect(record?.machineDetection?.verdict).toEqual({
      answeredBy: 'machine',
      providerVerdict: 'MACHINE/LONGGREETING-2000-1500',
    });
    expect(model.received.filter((e) => e.type === 'response.create')).toHaveLength(1);
  });

  it('a person: the agent greets as on any call', async () => {
    const { answerer, call, model } = await dial('+15550015555');
    const request = await model.waitFor('response.create');
    expect(String((request.response as { instructions: string }).instructions)).not.toContain(MESSAGE);
    expect((await media().callRecord(call.id))?.machineDetection?.verdict).toMatchObject({
      answeredBy: 'human',
    });
    const session = answerer.service.registry.get(call.id) as CallSession;
    await session.end('api_request');
    expect((await media().callRecord(call.id))?.endReason).toBe('api_request');
  });
});
