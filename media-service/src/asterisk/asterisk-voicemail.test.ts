import { describe, expect, it } from 'vitest';
import type { AmdOutcome } from '../../../fakes/asterisk/ari-server.ts';
import type { CallSession } from '../session/call-session.ts';
import { APP, pattern, useAsteriskHarness } from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, outboundCall } = useAsteriskHarness();

const MESSAGE = 'Hello, this is the clinic. Your appointment is tomorrow at ten. Goodbye.';
const OUTCOMES: Record<string, AmdOutcome> = {
  'PJSIP/+15550004444@trunk': { status: 'MACHINE', cause: 'LONGGREETING-2000-1500' },
  'PJSIP/+15550005555@trunk': { status: 'HUMAN', cause: 'HUMAN-1500-1500' },
  'PJSIP/+15550006666@trunk': { status: 'MACHINE', cause: 'MAXWORDS-3-3' },
};

/**
 * Answering-machine detection on Asterisk: the call is dialed into the `<app>-amd` dialplan
 * context, whose AMD() runs before `Stasis()`; the session reads AMDSTATUS/AMDCAUSE over ARI and
 * greets a person or leaves the voicemail message, over real ARI and RTP.
 */
describe('Asterisk outbound calls with answering-machine detection', () => {
  async function dial(to: string, voicemail: { action: 'hangup' | 'leave_message'; message?: string }) {
    const s = await setup({
      amdOutcome: (endpoint) => OUTCOMES[endpoint] ?? { status: 'NOTSURE', cause: '' },
    });
    const agent = await media().newAgent({ voicemail });
    const before = media().realtime.connections.length;
    const { call, command } = await outboundCall(to, { agentId: agent.id, machineDetection: true });
    await s.asterisk.originate(command);
    const model = await media().realtime.nextConfigured(before);
    return { s, call, model };
  }

  it('AMDSTATUS=MACHINE with leave_message: the message goes out as RTP, then the channel is hung up as voicemail', async () => {
    const { s, call, model } = await dial('+15550004444', { action: 'leave_message', message: MESSAGE });
    const channelId = `ai-caller-out-${call.id}`;
    const originate = await s.ari.waitForRequest((r) => r.method === 'POST' && r.path === '/ari/channels');
    expect(Object.fromEntries(originate.query)).toMatchObject({
      endpoint: 'PJSIP/+15550004444@trunk',
      context: `${APP}-amd`,
      extension: 's',
      priority: '1',
      channelId,
    });
    expect(originate.query.get('app')).toBeNull();
    expect(originate.body).toMatchObject({
      variables: { AI_CALLER_APP: APP, AI_CALLER_APP_ARGS: `outbound,${call.id}` },
    });
    await s.ari.waitForRequest(
      (r) =>
        r.path === `/ari/applications/${APP}/subscription` &&
        r.query.get('eventSource') === `channel:${channelId}`,
    );

    const request = await model.waitFor('response.create');
    expect(String((request.response as { instructions: string }).instructions)).toContain(`"${MESSAGE}"`);
    const session = s.service.registry.get(call.id) as CallSession;
    const spoken = pattern(160 * 4, 9);
    model.speak('resp_vm', 'item_vm', [spoken], MESSAGE);
    await s.peer.waitForPackets(4);
    expect(Buffer.concat(s.peer.received.map((p) => p.payload))).toEqual(spoken);
    await session.closed;

    expect(s.ari.requests.some((r) => r.method === 'DELETE' && r.path === `/ari/channels/${channelId}`)).toBe(
      true,
    );
    const record = await media().callRecord(call.id);
    expect(record).toMatchObject({ status: 'completed', endReason: 'voicemail' });
    expect(record?.machineDetection?.verdict).toEqual({
      answeredBy: 'machine',
      providerVerdict: 'MACHINE/LONGGREETING-2000-1500',
    });
    const events = await media().eventsFor(call.id, 2);
    expect(events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'call.ended', endReason: 'voicemail' })]),
    );
    expect(model.received.filter((e) => e.type === 'response.create')).toHaveLength(1);
  });

  it('AMDSTATUS=MACHINE with hangup: no word, the channel is hung up', async () => {
    const { s, call, model } = await dial('+15550006666', { action: 'hangup' });
    await media().eventsFor(call.id, 2);
    expect(
      s.ari.requests.some(
        (r) => r.method === 'DELETE' && r.path === `/ari/channels/ai-caller-out-${call.id}`,
      ),
    ).toBe(true);
    expect(await media().callRecord(call.id)).toMatchObject({ endReason: 'voicemail' });
    expect(model.received.some((e) => e.type === 'response.create')).toBe(false);
  });

  it('AMDSTATUS=HUMAN: the agent greets as on any call', async () => {
    const { s, call, model } = await dial('+15550005555', { action: 'leave_message', message: MESSAGE });
    const request = await model.waitFor('response.create');
    expect(String((request.response as { instructions: string }).instructions)).not.toContain(MESSAGE);
    const record = await media().callRecord(call.id);
    expect(record?.machineDetection?.verdict).toMatchObject({ answeredBy: 'human' });
    const session = s.service.registry.get(call.id) as CallSession;
    await session.end('api_request');
    expect((await media().callRecord(call.id))?.endReason).toBe('api_request');
  });
});
