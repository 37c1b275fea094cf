import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Agent } from '#shared/agents/agent-schema.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../../../fakes/twilio/media-client.ts';
import { type FakeTwilioRest, startFakeTwilioRest } from '../../../fakes/twilio/rest-server.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import {
  answerConsult as kitAnswerConsult,
  ringingConsult as kitRingingConsult,
  updatesOf as kitUpdatesOf,
  type WarmTransferRig,
} from '../../../test/media-service/twilio-warm-transfer-kit.ts';
import {
  reportFigure,
  respondedAfterResult,
  speakLine,
  transferResult,
} from '../../../test/media-service/warm-transfer-script.ts';

const PERSON = '+14155550142';
let harness: MediaHarness;
let twilio: FakeTwilioRest;
let media: Awaited<ReturnType<MediaHarness['startService']>>;
let agent: Agent;
let rig: WarmTransferRig;

beforeAll(async () => {
  harness = await startMediaHarness();
  twilio = await startFakeTwilioRest();
  media = await harness.startService(
    {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      PUBLIC_MEDIA_URL: 'https://media.example.test',
    },
    { goodbyeTimeoutMs: 100 },
  );
  agent = await harness.newAgent({ transferNumber: PERSON });
  rig = { harness, twilio, media, agent, person: PERSON };
}, 60_000);
afterAll(async () => {
  await twilio?.close();
  await harness?.stop();
});

const ringingConsult = (args: Record<string, unknown> = {}) => kitRingingConsult(rig, args);
const answerConsult = (twiml: string, consultSid: string) => kitAnswerConsult(rig, twiml, consultSid);
const updatesOf = (sid: string) => kitUpdatesOf(twilio, sid);

describe('warm transfer on Twilio', () => {
  it('answered: caller holds on our stream, the person is briefed on theirs, key 1 puts both in a conference', async () => {
    const c = await ringingConsult({ briefing: 'Alex wants to move Tuesday’s cleaning.' });
    const twiml = c.dial.params.get('Twiml') ?? '';
    expect(twiml).toMatch(
      /^<\?xml .*<Response><Connect><Stream url="wss:\/\/media\.example\.test\/twilio\/stream"/,
    );
    expect(c.dial.params.get('From')).toBe('+14155550199');
    expect(c.dial.params.get('Timeout')).toBe('20');

    const person = await answerConsult(twiml, c.consultSid);
    const briefing = await speakLine(c.model, 2, Buffer.alloc(1600, 0x55));
    expect(briefing.response.instructions).toContain('Alex wants to move Tuesday');
    // The briefing went to the person only; the caller heard hold audio, never the briefing.
    await vi.waitFor(() => expect(person.outboundBytes()).toBe(1600));
    const callerPayloads = c.caller.received.filter((f) => f.event === 'media').map((f) => f.media?.payload);
    expect(callerPayloads).not.toContain(Buffer.alloc(1600, 0x55).toString('base64'));
    // The caller's keys while on hold never reach the model; the person's key decides.
    c.caller.sendDtmf('5');
    const pressedAt = Date.now();
    person.sendDtmf('1');
    await c.session.closed;
    reportFigure('twilio key 1 → both calls in the conference, session closed', Date.now() - pressedAt);

    const room = `ai-caller-${c.call.id}`;
    for (const sid of [c.consultSid, c.callerSid]) {
      expect(updatesOf(sid).map((r) => r.params.get('Twiml'))).toEqual([
        expect.stringContaining(
          `<Dial><Conference beep="false" startConferenceOnEnter="true" endConferenceOnExit="true" waitUrl="">${room}</Conference></Dial>`,
        ),
      ]);
    }
    const conferences = [...twilio.conferences.conferences.values()].filter((f) => f.friendly_name === room);
    expect(conferences).toEqual([expect.objectContaining({ status: 'in-progress' })]);
    const sid = conferences[0]?.sid ?? '';
    const listed = await fetch(
      `${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Conferences/${sid}/Participants.json`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`,
        },
      },
    ).then((r) => r.json() as Promise<{ participants: { call_sid: string }[] }>);
    expect(listed.participants.map((p) => p.call_sid).sort()).toEqual([c.callerSid, c.consultSid].sort());

    const record = await harness.callRecord(c.call.id);
    expect(record?.endReason).toBe('transferred');
    expect(record?.transfers).toEqual([
      expect.objectContaining({ to: PERSON, outcome: 'answered', answeredAt: expect.any(String) }),
    ]);
    const turns = await listTranscriptTurns(harness.db, c.call.id);
    expect(turns.map((t) => t.text)).toContain(`warm transfer to ${PERSON}: answered`);
    expect(
      harness.realtime.connections.at(-1)?.received.some((e) => e.type === 'input_audio_buffer.append'),
    ).toBeDefined();

    // The person hangs up: the conference ends with them and Twilio hangs up the caller.
    twilio.setCallStatus(c.consultSid, 'completed');
    expect(twilio.calls.get(c.callerSid)?.status).toBe('completed');
  });

  it.each([
    ['declined with key 2', 'declined'],
    ['not answered', 'no_answer'],
    ['busy', 'busy'],
  ])('%s: the caller is back with the agent and the model is told why', async (_name, outcome) => {
    const c = await ringingConsult();
    let person: TwilioMediaClient | undefined;
    if (outcome === 'declined') {
      person = await answerConsult(c.dial.params.get('Twiml') ?? '', c.consultSid);
      const briefing = await speakLine(c.model, 2);
      expect(briefing.response.instructions).toMatch(/who is calling and what the caller needs/);
      person.sendDtmf('2');
    } else twilio.setCallStatus(c.consultSid, outcome === 'busy' ? 'busy' : 'no-answer');
    const endedAt = Date.now();
    expect(await transferResult(c.model)).toMatchObject({ error: 'transfer_not_completed', outcome });
    reportFigure(`twilio ${outcome} → tool result, caller back with the agent`, Date.now() - endedAt);
    // Back with the agent: queued hold audio dropped, the caller heard by the model again.
    expect(
      c.caller.received.at(-1)?.event === 'clear' || c.caller.received.some((f) => f.event === 'clear'),
    ).toBe(true);
    if (person) {
      await person.closed;
      expect(updatesOf(c.consultSid).map((r) => r.params.get('Status'))).toEqual(['completed']);
    }
    expect(updatesOf(c.callerSid)).toEqual([]);
    await vi.waitFor(() => expect(respondedAfterResult(c.model)).toBe(true), { timeout: 10_000 });
    const appendsBefore = c.model.received.filter((e) => e.type === 'input_audio_buffer.append').length;
    c.caller.sendAudio(Buffer.alloc(320, 0x7f));
    await c.model.waitFor(
      'input_audio_buffer.append',
      () => c.model.received.filter((e) => e.type === 'input_audio_buffer.append').length > appendsBefore,
    );
    await vi.waitFor(
      async () =>
        expect((await harness.callRecord(c.call.id))?.transfers).toEqual([
          expect.objectContaining({ to: PERSON, outcome }),
        ]),
      { timeout: 10_000, interval: 50 },
    );
    void c.session.end('api_request');
    await c.session.closed;
  });

  it('the caller hanging up during the hold cancels the consult call', async () => {
    const c = await ringingConsult();
    await c.caller.stop();
    await c.session.closed;
    await vi.waitFor(() =>
      expect(updatesOf(c.consultSid).map((r) => r.params.get('Status'))).toEqual(['canceled']),
    );
    const record = await harness.callRecord(c.call.id);
    expect(record?.endReason).toBe('caller_hangup');
    expect(record?.transfers).toEqual([expect.objectContaining({ to: PERSON, outcome: 'canceled' })]);
  });

  it('a consult stream with a token this task did not issue is closed, and never touches a call', async () => {
    const c = await ringingConsult();
    const twiml = c.dial.params.get('Twiml') ?? '';
    const stranger = await connectTwilioMedia(media.streamUrl, {
      customParameters: { consult: c.call.id, token: 'st1.forged.token' },
      playback: 'instant',
    });
    stranger.start();
    expect((await stranger.closed).reason).toBe('consult_unknown');
    // The real one still works, once: a replay of the same token is refused.
    const person = await answerConsult(twiml, c.consultSid);
    await speakLine(c.model, 2);
    const replay = await answerConsult(twiml, c.consultSid);
    expect((await replay.closed).reason).toBe('consult_unknown');
    person.sendDtmf('2');
    expect(await transferResult(c.model)).toMatchObject({ outcome: 'declined' });
    void c.session.end('api_request');
    await c.session.closed;
  });
});
