import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, VoicemailSettings } from '#shared/agents/agent-schema.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { TWILIO_AMD_PATH, TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import type { FakeRealtimeConnection } from '../../../fakes/realtime/scripted-server.ts';
import { connectTwilioMedia } from '../../../fakes/twilio/media-client.ts';
import { type FakeTwilioRest, startFakeTwilioRest } from '../../../fakes/twilio/rest-server.ts';
import {
  parseStreamTwiml,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../../../fakes/twilio/webhooks.ts';
import { apiClient, type ApiClient } from '../../../test/functions/api-test-client.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

/**
 * Answering-machine detection on outbound Twilio calls, across both halves and real wire
 * protocols: POST /v1/calls asks the (fake) Twilio REST API for asynchronous AMD, the call
 * connects its media stream, the signed AMD callback goes through the gateway, the command
 * queue and the media service, and the session greets a person or leaves the voicemail.
 */
let twilio: FakeTwilioRest;
let harness: MediaHarness;
let media: Awaited<ReturnType<MediaHarness['startService']>>;
let api: ApiClient;
let target: TwilioWebhookTarget;
let numberSeq = 0;

const MESSAGE =
  'Hi, this is Acme Dental reminding you of your cleaning tomorrow at nine. Call us back at 555 0100.';
const TO = '+14155550123';
const tone = (bytes: number) => Buffer.alloc(bytes, 0x7f);

beforeAll(async () => {
  twilio = await startFakeTwilioRest();
  const twilioEnv = {
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
  };
  harness = await startMediaHarness(twilioEnv);
  media = await harness.startService(twilioEnv, { goodbyeTimeoutMs: 5_000 });
  const { secret } = await createApiKey(harness.db, {
    tenantId: harness.tenantId,
    name: 'voicemail test',
    scopes: ['admin'],
  });
  api = apiClient(harness.platform.apiUrl, secret);
  target = {
    apiUrl: harness.platform.apiUrl,
    publicUrl: harness.platform.env.PUBLIC_API_URL as string,
    authToken: twilio.authToken,
  };
}, 60_000);
afterAll(async () => {
  await harness?.stop();
  await twilio?.close();
});

async function agentWith(voicemail: VoicemailSettings | undefined): Promise<{ agent: Agent; from: string }> {
  const agent = await harness.newAgent({ voicemail, greeting: 'Hello, this is Acme Dental.' });
  const from = `+1415555${String(7100 + numberSeq++).padStart(4, '0')}`;
  await createPhoneNumber(harness.db, {
    tenantId: harness.tenantId,
    agentId: agent.id,
    number: from,
    provider: 'twilio',
  });
  return { agent, from };
}

/**
 * Places the call through the API, then does what Twilio does when the callee picks up: the
 * signed voice webhook, and the media stream its TwiML names.
 */
async function placeAndAnswer(agent: Agent, body: Record<string, unknown> = {}) {
  const res = await api.post('/v1/calls', { agentId: agent.id, to: TO, ...body });
  expect(res.status).toBe(202);
  const callId = res.body.call.id as string;
  const callSid = res.body.call.providerCallId as string;
  const create = await twilio.waitForRequest(
    (r) => r.kind === 'create' && r.params.get('From') === res.body.call.from,
  );
  const voice = await sendTwilioWebhook(
    target,
    TWILIO_VOICE_PATH,
    voiceParams({
      callSid,
      from: res.body.call.from,
      to: TO,
      direction: 'outbound-api',
      callStatus: 'in-progress',
    }),
    { query: new URLSearchParams({ callId, tenantId: harness.tenantId }).toString() },
  );
  expect(voice.status).toBe(200);
  const stream = parseStreamTwiml(await voice.text());
  const before = harness.realtime.connections.length;
  const client = await connectTwilioMedia(media.streamUrl, {
    customParameters: stream.parameters,
    callSid,
    playback: 'instant',
  });
  client.start();
  const model = await harness.realtime.nextConfigured(before);
  return { callId, callSid, client, model, createParams: create.params };
}

const instructionsOf = (model: FakeRealtimeConnection) =>
  model.received
    .filter((e) => e.type === 'response.create')
    .map((e) => String((e.response as { instructions?: string } | undefined)?.instructions ?? ''));

describe('answering-machine detection on Twilio', () => {
  it('asks Twilio for asynchronous AMD and holds the greeting until a person is detected', async () => {
    const { agent } = await agentWith({ action: 'leave_message', message: MESSAGE });
    const { callId, callSid, client, model, createParams } = await placeAndAnswer(agent);
    expect(createParams.get('MachineDetection')).toBe('DetectMessageEnd');
    expect(createParams.get('AsyncAmd')).toBe('true');
    expect(createParams.get('AsyncAmdStatusCallback')).toBe(`${target.publicUrl}${TWILIO_AMD_PATH}`);
    expect(createParams.get('AsyncAmdStatusCallbackMethod')).toBe('POST');
    expect(createParams.get('MachineDetectionTimeout')).toBe('30');

    // The callee says "hello?" while detection runs: it must not reach the model.
    client.sendAudio(tone(800));
    const amd = await twilio.sendAmdResult(callSid, 'human', { durationMs: 1800 });
    expect(amd.status).toBe(204);
    await model.waitFor('response.create');
    expect(instructionsOf(model)).toEqual([expect.stringContaining('Hello, this is Acme Dental.')]);
    expect(model.received.some((e) => e.type === 'input_audio_buffer.append')).toBe(false);

    // From here it is an ordinary conversation: the caller's audio flows to the model.
    model.speak('resp_1', 'item_g', [tone(800)], 'Hello, this is Acme Dental.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_g:800');
    client.sendAudio(tone(800));
    await model.waitFor('input_audio_buffer.append');
    client.stop();
    const events = await harness.eventsFor(callId, 2);
    expect(events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'call.ended', endReason: 'caller_hangup' })]),
    );
    const record = await harness.callRecord(callId);
    expect(record?.machineDetection?.verdict).toEqual({
      answeredBy: 'human',
      providerVerdict: 'human',
      detectionMs: 1800,
    });
    const shown = await api.get(`/v1/calls/${callId}`);
    expect(shown.body.call.machineDetection).toEqual({
      answeredBy: 'human',
      providerVerdict: 'human',
      detectionMs: 1800,
    });
  });

  it('machine_end_beep with leave_message: the message is spoken after the beep, then the call hangs up as voicemail', async () => {
    const { agent } = await agentWith({ action: 'leave_message', message: MESSAGE });
    const { callId, callSid, client, model } = await placeAndAnswer(agent);
    // The machine's greeting plays while detection runs: nothing is sent to the model.
    client.sendAudio(tone(1600));
    expect((await twilio.sendAmdResult(callSid, 'machine_end_beep', { durationMs: 9200 })).status).toBe(204);

    const request = await model.waitFor('response.create');
    expect(instructionsOf(model)).toHaveLength(1);
    expect(String((request.response as { instructions: string }).instructions)).toContain(`"${MESSAGE}"`);
    model.speak('resp_vm', 'item_vm', [tone(1600), tone(1600)], MESSAGE);
    // Played out, then hung up through Twilio's REST API.
    const hangUp = await twilio.waitForRequest((r) => r.kind === 'update' && r.callSid === callSid);
    expect(hangUp.params.get('Status')).toBe('completed');
    expect(client.outboundBytes()).toBe(3200);

    const events = await harness.eventsFor(callId, 2);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'call.ended', status: 'completed', endReason: 'voicemail' }),
      ]),
    );
    const record = await harness.callRecord(callId);
    expect(record).toMatchObject({ status: 'completed', endReason: 'voicemail' });
    expect(record?.machineDetection?.verdict).toMatchObject({
      answeredBy: 'machine',
      providerVerdict: 'machine_end_beep',
    });
    expect(model.received.some((e) => e.type === 'input_audio_buffer.append')).toBe(false);
    const turns = await listTranscriptTurns(harness.db, callId);
    expect(turns.map((t) => [t.role, t.text])).toEqual([['agent', MESSAGE]]);
  });

  it('action hangup: a machine is hung up on without a word', async () => {
    const { agent } = await agentWith({ action: 'hangup' });
    const { callId, callSid, model } = await placeAndAnswer(agent);
    expect((await twilio.sendAmdResult(callSid, 'machine_end_silence')).status).toBe(204);
    const hangUp = await twilio.waitForRequest((r) => r.kind === 'update' && r.callSid === callSid);
    expect(hangUp.params.get('Status')).toBe('completed');
    const events = await harness.eventsFor(callId, 2);
    expect(events).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'call.ended', endReason: 'voicemail' })]),
    );
    expect(instructionsOf(model)).toEqual([]);
    expect((await harness.callRecord(callId))?.endReason).toBe('voicemail');
  });

  it('a forged AMD callback is refused with 403 and changes nothing', async () => {
    const { agent } = await agentWith({ action: 'hangup' });
    const { callId, callSid, client, model } = await placeAndAnswer(agent);
    const forged = await twilio.sendAmdResult(callSid, 'machine_end_beep', {
      signature: 'bm90IGEgc2lnbmF0dXJl',
    });
    expect(forged.status).toBe(403);
    const unsigned = await twilio.sendAmdResult(callSid, 'machine_end_beep', { signature: null });
    expect(unsigned.status).toBe(403);
    expect((await harness.callRecord(callId))?.machineDetection?.verdict).toBeUndefined();

    // The genuine verdict still decides: a person, greeted; the forged "machine" never hung up.
    expect((await twilio.sendAmdResult(callSid, 'human')).status).toBe(204);
    await model.waitFor('response.create');
    expect(twilio.requests.some((r) => r.kind === 'update' && r.callSid === callSid)).toBe(false);
    client.stop();
    await harness.eventsFor(callId, 2);
    expect((await harness.callRecord(callId))?.endReason).toBe('caller_hangup');
  });

  it('an unknown verdict is taken for a person (greeted), and a repeated callback is ignored', async () => {
    const { agent } = await agentWith({ action: 'hangup' });
    const { callId, callSid, client, model } = await placeAndAnswer(agent);
    expect((await twilio.sendAmdResult(callSid, 'unknown')).status).toBe(204);
    await model.waitFor('response.create');
    expect(instructionsOf(model)).toEqual([expect.stringContaining('Hello, this is Acme Dental.')]);
    // A repeat with a different verdict finds the first one stored and is acknowledged only.
    expect((await twilio.sendAmdResult(callSid, 'machine_end_beep')).status).toBe(204);
    client.stop();
    await harness.eventsFor(callId, 2);
    const record = await harness.callRecord(callId);
    expect(record?.endReason).toBe('caller_hangup');
    expect(record?.machineDetection?.verdict).toMatchObject({
      answeredBy: 'unknown',
      providerVerdict: 'unknown',
    });
  });

  it('machineDetection: false on the call skips detection: no AMD at Twilio, the agent greets at once', async () => {
    const { agent } = await agentWith({ action: 'leave_message', message: MESSAGE });
    const { callId, client, model, createParams } = await placeAndAnswer(agent, { machineDetection: false });
    expect(createParams.get('MachineDetection')).toBeNull();
    expect(createParams.get('AsyncAmd')).toBeNull();
    await model.waitFor('response.create');
    client.stop();
    await harness.eventsFor(callId, 2);
    expect((await harness.callRecord(callId))?.machineDetection).toBeUndefined();
  });
});
