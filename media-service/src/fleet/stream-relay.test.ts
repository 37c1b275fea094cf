import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectTwilioMedia } from '../../../fakes/twilio/media-client.ts';
import { type FakeTwilioRest, startFakeTwilioRest } from '../../../fakes/twilio/rest-server.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import {
  answerConsult,
  ringingConsult,
  twimlParameter,
  updatesOf,
  type WarmTransferRig,
} from '../../../test/media-service/twilio-warm-transfer-kit.ts';
import { speakLine, transferResult } from '../../../test/media-service/warm-transfer-script.ts';
import { signRelayedStream } from './relay-token.ts';
import { STREAM_RELAY_PATH } from './stream-relay.ts';

/**
 * Two media tasks behind one load balancer. The caller's stream is on task A, which dials the
 * person; the person's consult stream lands on task B (the balancer's choice). B does not hold the
 * stream's token id, so it relays the stream to A, the call's owner: without the relay B would
 * close it (`consult_unknown`) and the transfer would fail.
 */
const PERSON = '+14155550143';
let harness: MediaHarness;
let twilio: FakeTwilioRest;
let rig: WarmTransferRig;
type Service = Awaited<ReturnType<MediaHarness['startService']>>;
let taskA: Service;
let taskB: Service;

beforeAll(async () => {
  harness = await startMediaHarness();
  twilio = await startFakeTwilioRest();
  const env = {
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
    PUBLIC_MEDIA_URL: 'https://media.example.test',
  };
  taskA = await harness.startService(env, { taskId: 'warm-a', goodbyeTimeoutMs: 100 });
  taskB = await harness.startService(env, { taskId: 'warm-b', goodbyeTimeoutMs: 100 });
  const agent = await harness.newAgent({ transferNumber: PERSON });
  rig = { harness, twilio, media: taskA, agent, person: PERSON };
}, 60_000);
afterAll(async () => {
  await twilio?.close();
  await harness?.stop();
});

const relayUrl = (service: Service) => `${service.baseUrl.replace(/^http/, 'ws')}${STREAM_RELAY_PATH}`;
const relayToken = (callId: string) =>
  signRelayedStream(callId, 'test-task', harness.platform.secrets.INTERNAL_SIGNING_KEY);

/** The HTTP status a WebSocket upgrade is answered with (101 when it is accepted). */
async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const client = await connectTwilioMedia(url, { customParameters: {}, headers });
    client.close();
    return 101;
  } catch (error) {
    const status = /HTTP (\d{3})/.exec(String(error))?.[1];
    if (!status) throw error;
    return Number(status);
  }
}

describe('warm transfer on Twilio, consult stream on another task', () => {
  it('answered: the stream reaches task B, is relayed to A; the briefing reaches the person, key 1 hands over', async () => {
    const c = await ringingConsult(rig, { briefing: 'Alex wants to move Tuesday’s cleaning.' });
    const person = await answerConsult(rig, c.dial.params.get('Twiml') ?? '', c.consultSid, taskB.streamUrl);
    const briefing = await speakLine(c.model, 2, Buffer.alloc(1600, 0x55));
    expect(briefing.response.instructions).toContain('Alex wants to move Tuesday');
    // Agent audio from A crossed B to the person, verbatim (the stream's sid, the payload bytes).
    await vi.waitFor(() => expect(person.outboundBytes()).toBe(1600));
    const media = person.received.filter((f) => f.event === 'media');
    expect(media.every((f) => f.streamSid === person.streamSid)).toBe(true);
    expect(taskB.service.registry.get(c.call.id)).toBeUndefined();

    person.sendDtmf('1');
    await c.session.closed;
    const room = `ai-caller-${c.call.id}`;
    for (const sid of [c.consultSid, c.callerSid]) {
      expect(updatesOf(twilio, sid).map((r) => r.params.get('Twiml'))).toEqual([
        expect.stringContaining(`>${room}</Conference></Dial>`),
      ]);
    }
    const record = await harness.callRecord(c.call.id);
    expect(record?.endReason).toBe('transferred');
    expect(record?.transfers).toEqual([expect.objectContaining({ to: PERSON, outcome: 'answered' })]);
    person.close();
  });

  it('declined: the person’s key 2 crosses B; the caller is back with the agent and the person’s stream is closed', async () => {
    const c = await ringingConsult(rig);
    const person = await answerConsult(rig, c.dial.params.get('Twiml') ?? '', c.consultSid, taskB.streamUrl);
    await speakLine(c.model, 2);
    person.sendDtmf('2');
    expect(await transferResult(c.model)).toMatchObject({
      error: 'transfer_not_completed',
      outcome: 'declined',
    });
    // A closed its side of the relay; B closed the person's stream with the same code and reason.
    expect(await person.closed).toEqual({ code: 1000, reason: 'consult_over' });
    expect(updatesOf(twilio, c.consultSid).map((r) => r.params.get('Status'))).toEqual(['completed']);
    expect(updatesOf(twilio, c.callerSid)).toEqual([]);
    await vi.waitFor(() => expect(c.caller.received.some((f) => f.event === 'clear')).toBe(true));
    const appends = () => c.model.received.filter((e) => e.type === 'input_audio_buffer.append').length;
    const before = appends();
    c.caller.sendAudio(Buffer.alloc(320, 0x7f));
    await c.model.waitFor('input_audio_buffer.append', () => appends() > before);
    void c.session.end('api_request');
    await c.session.closed;
  });

  it('the person’s stream breaking on B (no stop frame) closes the relay: A ends the consult, caller back', async () => {
    const c = await ringingConsult(rig);
    const person = await answerConsult(rig, c.dial.params.get('Twiml') ?? '', c.consultSid, taskB.streamUrl);
    await speakLine(c.model, 2);
    // Only the close crosses B, no `stop` frame: A learns it from the relayed socket closing.
    person.drop();
    expect(await transferResult(c.model)).toMatchObject({ outcome: 'declined' });
    expect(updatesOf(twilio, c.callerSid)).toEqual([]);
    void c.session.end('api_request');
    await c.session.closed;
  });

  it('a relayed stream is never relayed again: B refuses a consult that reached it over the relay', async () => {
    const c = await ringingConsult(rig);
    const twiml = c.dial.params.get('Twiml') ?? '';
    const bounced = await connectTwilioMedia(relayUrl(taskB), {
      customParameters: { consult: c.call.id, token: twimlParameter(twiml, 'token') },
      headers: { authorization: `Bearer ${await relayToken(c.call.id)}` },
    });
    bounced.start();
    expect((await bounced.closed).reason).toBe('consult_unknown');
    // The token id is still A's to claim: the real stream, through B's public route, works.
    const person = await answerConsult(rig, twiml, c.consultSid, taskB.streamUrl);
    await speakLine(c.model, 2);
    person.sendDtmf('2');
    expect(await transferResult(c.model)).toMatchObject({ outcome: 'declined' });
    void c.session.end('api_request');
    await c.session.closed;
  });

  it('the relay route refuses sockets without a valid relay token, or through the load balancer', async () => {
    const token = await relayToken('call_x');
    expect(await upgradeStatus(relayUrl(taskA), {})).toBe(401);
    const forged = `${token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
    expect(await upgradeStatus(relayUrl(taskA), { authorization: `Bearer ${forged}` })).toBe(401);
    expect(await upgradeStatus(relayUrl(taskA), { authorization: 'Bearer st1.forged.token' })).toBe(401);
    expect(
      await upgradeStatus(relayUrl(taskA), {
        authorization: `Bearer ${token}`,
        'x-forwarded-for': '203.0.113.9',
      }),
    ).toBe(403);
    // A valid relay token admits a consult stream only, never a caller's stream.
    const caller = await connectTwilioMedia(relayUrl(taskA), {
      customParameters: { callId: 'call_x', token: 'st1.any' },
      headers: { authorization: `Bearer ${token}` },
    });
    caller.start();
    expect((await caller.closed).reason).toBe('consult_only');
  });
});
