import { describe, expect, it, vi } from 'vitest';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import type { FakeChannel } from '../../../fakes/asterisk/ari-server.ts';
import {
  type PerCallSetup,
  usePerCallHarness,
} from '../../../test/media-service/asterisk-percall-harness.ts';
import {
  requestWarmTransfer,
  respondedAfterResult,
  speakLine,
  transferResult,
} from '../../../test/media-service/warm-transfer-script.ts';

const { media, setup, inboundCall } = usePerCallHarness();

const PERSON = '+14155550142';
const AGENT_NUMBER = '+15550009997';
let agentReady: Promise<void> | undefined;

/** An agent with a transfer number, reached on its own Asterisk number. */
function transferAgent(): Promise<void> {
  agentReady ??= (async () => {
    const h = media();
    const agent = await h.newAgent({ transferNumber: PERSON });
    await createPhoneNumber(h.db, {
      tenantId: h.tenantId,
      number: AGENT_NUMBER,
      agentId: agent.id,
      provider: 'asterisk',
    });
  })();
  return agentReady;
}

/**
 * Two tasks: callers' connections land on the first, every other per-call connection (the media
 * channel's, and a consult leg's if one were opened) on the second, the task that does not own the call.
 */
const callersOnFirst = (channel: FakeChannel) => (channel.name.startsWith('Local/') ? 0 : 1);

/** A caller on task A with the agent, the warm transfer requested and announced, the person's phone ringing. */
async function ringingConsult(s: PerCallSetup, args: Record<string, unknown> = {}) {
  await transferAgent();
  const c = await inboundCall(s, '5557654321', AGENT_NUMBER.slice(1));
  const [a, b] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
  expect(c.owner).toBe(a);
  const ids = {
    bridge: `ai-caller-bridge-${c.call.id}`,
    hold: `ai-caller-hold-${c.call.id}`,
    consult: `ai-caller-consult-${c.call.id}-1`,
  };
  requestWarmTransfer(c.model, args);
  await speakLine(c.model, 1);
  await s.ari.waitUntil(() => s.ari.channels.get(ids.consult)?.state === 'Ringing');
  return { ...c, a, b, ids };
}

const inBridge = (s: PerCallSetup, bridgeId: string) => s.ari.bridges.get(bridgeId)?.channels ?? [];

describe('Asterisk per-call mode: warm transfer with the call on one task and connections spread over two', () => {
  it('answered: the consult leg is dialed into the owner’s dialer app, briefed, key 1 bridges caller and person, and the agent leaves', async () => {
    const s = await setup({ tasks: 2, pick: callersOnFirst, originate: () => 'hold' });
    const c = await ringingConsult(s, { briefing: 'Alex wants to move Tuesday’s cleaning.' });
    // Dialed into the owner's own classic app, never the per-call app: no connection of its own.
    const dial = s.ari.requests.find((r) => r.method === 'POST' && r.path === '/ari/channels');
    expect(Object.fromEntries(dial?.query ?? [])).toMatchObject({
      endpoint: `PJSIP/${PERSON}@trunk`,
      app: c.a.transport.dialer.dialerApp,
      appArgs: `consult,${c.call.id}`,
      channelId: c.ids.consult,
    });
    expect(inBridge(s, c.ids.hold)).toEqual([c.channel.id]);
    expect(inBridge(s, c.ids.bridge)).toEqual([c.mediaChannelId]);

    s.ari.answer(c.ids.consult);
    await s.ari.waitUntil(() => inBridge(s, c.ids.bridge).includes(c.ids.consult));
    const briefing = await speakLine(c.model, 2);
    expect(briefing.response.instructions).toContain('Alex wants to move Tuesday');
    // The caller's keys while on hold never reach the model; the person's key decides.
    s.ari.sendDtmf(c.channel.id, '5');
    s.ari.sendDtmf(c.ids.consult, '1');
    await c.session.closed;

    expect(inBridge(s, c.ids.bridge).sort()).toEqual([c.channel.id, c.ids.consult].sort());
    await s.ari.waitUntil(() => !s.ari.channels.has(c.mediaChannelId) && !s.ari.bridges.has(c.ids.hold));
    const record = await media().callRecord(c.call.id);
    expect(record?.endReason).toBe('transferred');
    expect(record?.transfers).toEqual([
      expect.objectContaining({ to: PERSON, mode: 'warm', outcome: 'answered' }),
    ]);
    expect(s.ari.perCallConnections.some((conn) => conn.channelId === c.ids.consult)).toBe(false);
    expect(c.b.service.registry.get(c.call.id)).toBeUndefined();

    // The person hangs up (an event on the owner's dialer app): the caller is hung up, the bridge removed.
    s.ari.hangUp(c.ids.consult);
    await s.ari.waitUntil(() => !s.ari.channels.has(c.channel.id) && !s.ari.bridges.has(c.ids.bridge));
  });

  it('a transferred pair outlives the task that transferred it: the task the caller re-connects to watches it', async () => {
    let callersTo = 0;
    const s = await setup({
      tasks: 2,
      pick: (channel) => (channel.name.startsWith('Local/') ? callersTo : 1),
      originate: () => 'hold',
    });
    const c = await ringingConsult(s);
    s.ari.answer(c.ids.consult);
    await s.ari.waitUntil(() => inBridge(s, c.ids.bridge).includes(c.ids.consult));
    await speakLine(c.model, 2);
    s.ari.sendDtmf(c.ids.consult, '1');
    await c.session.closed;
    await s.ari.waitUntil(() => !s.ari.channels.has(c.mediaChannelId));

    // The transferring task stops (a deploy); Asterisk re-opens the caller's connection on the other task.
    callersTo = 1;
    const before = s.ari.requests.length;
    await c.a.transport.stop();
    const followed = await s.ari.waitForRequest(
      (r) =>
        r.method === 'POST' &&
        r.path === `/ari/applications/${c.b.transport.dialer.dialerApp}/subscription` &&
        r.query.get('eventSource') === `channel:${c.ids.consult}`,
    );
    expect(followed.status).toBe(200);
    // Left talking: nobody was hung up, the bridge holds the pair.
    expect(inBridge(s, c.ids.bridge).sort()).toEqual([c.channel.id, c.ids.consult].sort());
    expect(s.ari.requests.slice(before).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(c.b.service.registry.get(c.call.id)).toBeUndefined();

    // The person hangs up: the new task hangs the caller up and removes the bridge.
    s.ari.hangUp(c.ids.consult);
    await s.ari.waitUntil(() => !s.ari.channels.has(c.channel.id) && !s.ari.bridges.has(c.ids.bridge));
  });

  it.each<[string, string, (s: PerCallSetup, consult: string) => boolean]>([
    [
      'declined with key 2',
      'declined',
      (s, consult) => {
        s.ari.answer(consult);
        return true;
      },
    ],
    [
      'not answered',
      'no_answer',
      (s, consult) => {
        s.ari.reject(consult, 19, 'No user response');
        return false;
      },
    ],
  ])('%s: the caller is back with the agent and the model is told why', async (_name, outcome, act) => {
    const s = await setup({ tasks: 2, pick: callersOnFirst, originate: () => 'hold' });
    const c = await ringingConsult(s);
    if (act(s, c.ids.consult)) {
      await s.ari.waitUntil(() => inBridge(s, c.ids.bridge).includes(c.ids.consult));
      await speakLine(c.model, 2);
      s.ari.sendDtmf(c.ids.consult, '2');
    }
    const result = await transferResult(c.model);
    expect(result).toMatchObject({ error: 'transfer_not_completed', outcome });
    expect(inBridge(s, c.ids.bridge).sort()).toEqual([c.channel.id, c.mediaChannelId].sort());
    expect(inBridge(s, c.ids.hold)).toEqual([]);
    expect(s.ari.channels.has(c.ids.consult)).toBe(false);
    await vi.waitFor(() => expect(respondedAfterResult(c.model)).toBe(true), { timeout: 10_000 });
    expect(c.session.currentState).not.toBe('ended');
    await vi.waitFor(
      async () =>
        expect((await media().callRecord(c.call.id))?.transfers).toEqual([
          expect.objectContaining({ to: PERSON, outcome }),
        ]),
      // A table write with nothing to listen for: poll the record.
      { timeout: 10_000, interval: 50 },
    );
    void c.session.end('api_request');
    await c.session.closed;
    await s.ari.waitUntil(() => s.ari.channels.size === 0 && s.ari.bridges.size === 0);
  });

  it('the caller hanging up during the hold cancels the consult leg', async () => {
    const s = await setup({ tasks: 2, pick: callersOnFirst, originate: () => 'hold' });
    const c = await ringingConsult(s);
    s.ari.hangUp(c.channel.id);
    await c.session.closed;
    await s.ari.waitUntil(() => !s.ari.channels.has(c.ids.consult) && s.ari.bridges.size === 0);
    expect(
      s.ari.requests.some((r) => r.method === 'DELETE' && r.path === `/ari/channels/${c.ids.consult}`),
    ).toBe(true);
    const record = await media().callRecord(c.call.id);
    expect(record?.endReason).toBe('caller_hangup');
    expect(record?.transfers).toEqual([expect.objectContaining({ to: PERSON, outcome: 'canceled' })]);
  });
});
