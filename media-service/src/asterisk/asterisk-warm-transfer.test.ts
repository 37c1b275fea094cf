import { describe, expect, it, vi } from 'vitest';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import {
  requestWarmTransfer,
  reportFigure,
  respondedAfterResult,
  speakLine,
  transferResult,
} from '../../../test/media-service/warm-transfer-script.ts';
import { type Setup, useAsteriskHarness } from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, inboundCall } = useAsteriskHarness();

const PERSON = '+14155550142';
const AGENT_NUMBER = '+15550009998';
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

/** A caller with the agent, the warm transfer requested and announced, the person's phone ringing. */
async function ringingConsult(s: Setup, args: Record<string, unknown> = {}) {
  await transferAgent();
  const c = await inboundCall(s, { exten: AGENT_NUMBER.slice(1) });
  const ids = {
    bridge: `ai-caller-bridge-${c.call.id}`,
    hold: `ai-caller-hold-${c.call.id}`,
    consult: `ai-caller-consult-${c.call.id}-1`,
    external: `ai-caller-media-${c.call.id}`,
  };
  requestWarmTransfer(c.model, args);
  const announcement = await speakLine(c.model, 1);
  await s.ari.waitUntil(() => s.ari.channels.get(ids.consult)?.state === 'Ringing');
  return { ...c, ids, announcement };
}

const inBridge = (s: Setup, bridgeId: string) => s.ari.bridges.get(bridgeId)?.channels ?? [];

describe('warm transfer on Asterisk', () => {
  it('answered: caller on music on hold, person briefed in the mixing bridge, key 1 connects them and the agent leaves', async () => {
    const s = await setup({ originate: () => 'hold' });
    const c = await ringingConsult(s, { briefing: 'Alex wants to move Tuesday’s cleaning.' });
    expect(c.announcement.response.instructions).toMatch(/hold/);
    // The caller waits in a holding bridge with music; the dial shows our number to the person.
    expect(inBridge(s, c.ids.hold)).toEqual([c.channel.id]);
    expect(s.ari.bridges.get(c.ids.hold)).toMatchObject({ type: 'holding', moh: 'default' });
    expect(inBridge(s, c.ids.bridge)).toEqual([c.ids.external]);
    const dial = s.ari.requests.find((r) => r.method === 'POST' && r.path === '/ari/channels');
    expect(Object.fromEntries(dial?.query ?? [])).toMatchObject({
      endpoint: `PJSIP/${PERSON}@trunk`,
      app: 'ai-caller',
      appArgs: `consult,${c.call.id}`,
      timeout: '20',
      channelId: c.ids.consult,
    });

    s.ari.answer(c.ids.consult);
    await s.ari.waitUntil(() => inBridge(s, c.ids.bridge).includes(c.ids.consult));
    const briefing = await speakLine(c.model, 2);
    expect(briefing.response.instructions).toContain('Alex wants to move Tuesday');
    expect(briefing.response.instructions).toMatch(/Press 1 .* 2 to decline/);
    // The caller's keys while on hold never reach the model; the person's key decides.
    s.ari.sendDtmf(c.channel.id, '5');
    const answeredAt = Date.now();
    s.ari.sendDtmf(c.ids.consult, '1');
    await c.session.closed;
    reportFigure('asterisk key 1 → caller and person bridged, session closed', Date.now() - answeredAt);

    expect(inBridge(s, c.ids.bridge).sort()).toEqual([c.channel.id, c.ids.consult].sort());
    expect(s.ari.channels.has(c.channel.id)).toBe(true);
    await s.ari.waitUntil(() => !s.ari.channels.has(c.ids.external) && !s.ari.bridges.has(c.ids.hold));
    const record = await media().callRecord(c.call.id);
    expect(record?.endReason).toBe('transferred');
    expect(record?.transfers).toEqual([
      expect.objectContaining({
        to: PERSON,
        mode: 'warm',
        outcome: 'answered',
        answeredAt: expect.any(String),
      }),
    ]);
    const turns = await listTranscriptTurns(media().db, c.call.id);
    expect(turns.map((t) => t.text)).toEqual(
      expect.arrayContaining([`warm transfer to ${PERSON} started`, `warm transfer to ${PERSON}: answered`]),
    );
    expect(s.asterisk.ports?.inUse).toBe(0);

    // The agent is gone; when the person hangs up, the caller is hung up and the bridge removed.
    s.ari.hangUp(c.ids.consult);
    await s.ari.waitUntil(() => !s.ari.channels.has(c.channel.id) && !s.ari.bridges.has(c.ids.bridge));
  });

  it.each<[string, string, (s: Setup, consult: string) => boolean]>([
    [
      'declined with key 2',
      'declined',
      (s: Setup, consult: string) => {
        s.ari.answer(consult);
        return true;
      },
    ],
    [
      'not answered',
      'no_answer',
      (s: Setup, consult: string) => {
        s.ari.reject(consult, 19, 'No user response');
        return false;
      },
    ],
    [
      'busy',
      'busy',
      (s: Setup, consult: string) => {
        s.ari.reject(consult, 17, 'User busy');
        return false;
      },
    ],
  ])('%s: the caller is back with the agent and the model is told why', async (_name, outcome, act) => {
    const s = await setup({ originate: () => 'hold' });
    const c = await ringingConsult(s);
    const answered = act(s, c.ids.consult);
    if (answered) {
      await s.ari.waitUntil(() => inBridge(s, c.ids.bridge).includes(c.ids.consult));
      const briefing = await speakLine(c.model, 2);
      // No briefing given: the agent summarises the call for the person.
      expect(briefing.response.instructions).toMatch(/who is calling and what the caller needs/);
      s.ari.sendDtmf(c.ids.consult, '2');
    }
    const endedAt = Date.now();
    const result = await transferResult(c.model);
    reportFigure(`asterisk ${outcome} → tool result, caller back with the agent`, Date.now() - endedAt);
    expect(result).toMatchObject({ error: 'transfer_not_completed', outcome });
    expect(inBridge(s, c.ids.bridge).sort()).toEqual([c.channel.id, c.ids.external].sort());
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
    // The caller is heard by the agent again: a second transfer may start.
    requestWarmTransfer(c.model);
    await speakLine(c.model, outcome === 'declined' ? 3 : 2);
    await s.ari.waitUntil(() => s.ari.channels.get(`ai-caller-consult-${c.call.id}-2`)?.state === 'Ringing');
    void c.session.end('api_request');
    await c.session.closed;
  });

  it('the caller hanging up during the hold cancels the consult leg', async () => {
    const s = await setup({ originate: () => 'hold' });
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

  it('refuses a target that is not allowed, and a transfer while one is in progress, as tool errors', async () => {
    const s = await setup({ originate: () => 'hold' });
    await transferAgent();
    const c = await inboundCall(s, { exten: AGENT_NUMBER.slice(1) });
    c.model.responseCreated('r_bad');
    c.model.functionCall('r_bad', 'fc_bad', 'transfer_call', { mode: 'warm', to: '+14155550000' });
    c.model.responseDone('r_bad');
    const bad = await c.model.waitFor(
      'conversation.item.create',
      (e) => (e.item as { call_id?: string }).call_id === 'fc_bad',
    );
    expect(JSON.parse((bad.item as { output: string }).output)).toMatchObject({
      error: 'target_not_allowed',
    });
    expect(s.ari.requests.some((r) => r.method === 'POST' && r.path === '/ari/channels')).toBe(false);

    requestWarmTransfer(c.model);
    await speakLine(c.model, 1);
    await s.ari.waitUntil(() => s.ari.channels.get(`ai-caller-consult-${c.call.id}-1`)?.state === 'Ringing');
    c.model.responseCreated('r_again');
    c.model.functionCall('r_again', 'fc_again', 'transfer_call', { mode: 'warm' });
    c.model.responseDone('r_again');
    const again = await c.model.waitFor(
      'conversation.item.create',
      (e) => (e.item as { call_id?: string }).call_id === 'fc_again',
    );
    expect(JSON.parse((again.item as { output: string }).output)).toMatchObject({
      error: 'transfer_in_progress',
    });
    expect(c.session.currentState).not.toBe('ended');
    void c.session.end('api_request');
    await c.session.closed;
  });
});
