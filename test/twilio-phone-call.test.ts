import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { TWILIO_STATUS_PATH, TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { type MediaHarness, startMediaHarness } from './media-service/twilio-test-harness.ts';
import { connectTwilioMedia } from '../fakes/twilio/media-client.ts';
import {
  newCallSid,
  parseStreamTwiml,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../fakes/twilio/webhooks.ts';

/**
 * A phone call across both halves, the way Twilio drives it: the signed voice webhook (control
 * plane) answers TwiML whose <Stream> parameters the media service accepts, the call runs against
 * the fake realtime server, the caller hangs up, and Twilio's status callback arrives after the
 * media service has already ended the call.
 */
let harness: MediaHarness;
let streamUrl: string;
let target: TwilioWebhookTarget;
const NUMBER = '+14155557001';
const CALLER = '+14155550100';

beforeAll(async () => {
  harness = await startMediaHarness();
  ({ streamUrl } = await harness.startService());
  await createPhoneNumber(harness.db, {
    tenantId: harness.tenantId,
    agentId: harness.agentId,
    number: NUMBER,
    provider: 'twilio',
  });
  target = {
    apiUrl: harness.platform.apiUrl,
    publicUrl: harness.platform.env.PUBLIC_API_URL as string,
    authToken: harness.platform.secrets.TWILIO_AUTH_TOKEN,
  };
}, 60_000);
afterAll(() => harness?.stop());

/** call.ended events for `callId` published since the last read (read and deleted from the queue). */
async function newEndedEvents(callId: string): Promise<unknown[]> {
  const sqs = sqsFromEnv();
  const queueUrl = queueUrlsFromEnv().summaries as string;
  const found: unknown[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (!out.Messages?.length) return found;
    for (const message of out.Messages) {
      const event = JSON.parse(message.Body ?? '{}') as { type?: string; callId?: string };
      if (event.type === 'call.ended' && event.callId === callId) found.push(event);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

describe('an inbound Twilio call end to end', () => {
  it('webhook → TwiML stream → media service → transcript; the late status callback changes nothing twice', async () => {
    const callSid = newCallSid();
    const fields = voiceParams({ callSid, from: CALLER, to: NUMBER });
    const voice = await sendTwilioWebhook(target, TWILIO_VOICE_PATH, fields);
    expect(voice.status).toBe(200);
    const stream = parseStreamTwiml(await voice.text());
    expect(stream.url).toMatch(/^wss?:\/\/.+\/twilio\/stream$/);
    const callId = stream.parameters.callId as string;

    const before = harness.realtime.connections.length;
    const client = await connectTwilioMedia(streamUrl, {
      customParameters: stream.parameters,
      callSid,
      playback: 'instant',
    });
    client.start();
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    model.speak('resp_1', 'item_a1', [Buffer.alloc(1600, 0x7f)], 'Thanks for calling, how can I help?');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:1600');

    client.sendAudio(Buffer.alloc(800, 0x11));
    await model.waitFor('input_audio_buffer.append');
    model.speechStarted('item_c1');
    model.speechStopped('item_c1', 100);
    model.callerTranscript('item_c1', 'I would like to book a cleaning.');
    model.speak('resp_2', 'item_a2', [Buffer.alloc(800, 0x22)], 'Sure, Tuesday at nine works.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a2:800');

    // The caller hangs up: Twilio sends `stop`, the media service ends the call and emits call.ended.
    client.stop();
    await client.closed;
    expect(await harness.eventsFor(callId, 2)).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'call.ended', status: 'completed' })]),
    );
    expect(await newEndedEvents(callId)).toHaveLength(1);

    // Twilio's completed callback arrives afterwards: acknowledged, billed duration kept, no second call.ended.
    const status = await sendTwilioWebhook(target, TWILIO_STATUS_PATH, {
      CallSid: callSid,
      CallStatus: 'completed',
      CallDuration: '9',
      SequenceNumber: '0',
      Direction: 'inbound',
      From: CALLER,
      To: NUMBER,
    });
    expect(status.status).toBe(204);
    expect(await newEndedEvents(callId)).toHaveLength(0);

    const record = await harness.callRecord(callId);
    expect(record).toMatchObject({
      direction: 'inbound',
      provider: 'twilio',
      providerCallId: callSid,
      from: CALLER,
      to: NUMBER,
      status: 'completed',
      endReason: 'caller_hangup',
    });
    expect(record?.usage.responses).toBe(2);
    expect(record?.telemetry?.firstAgentAudioMs).toBeGreaterThanOrEqual(0);
    const turns = await listTranscriptTurns(harness.db, callId);
    expect(turns.map((t) => [t.role, t.text])).toEqual([
      ['agent', 'Thanks for calling, how can I help?'],
      ['caller', 'I would like to book a cleaning.'],
      ['agent', 'Sure, Tuesday at nine works.'],
    ]);

    // The TwiML's token was single use: a second stream with it is refused before any model socket.
    const beforeReplay = harness.realtime.connections.length;
    const replay = await connectTwilioMedia(streamUrl, { customParameters: stream.parameters, callSid });
    replay.start();
    expect(await replay.closed).toEqual({ code: 1008, reason: 'token_replayed' });
    expect(harness.realtime.connections.length).toBe(beforeReplay);

    // A late retry of the voice webhook for the ended call just hangs up.
    const retry = await sendTwilioWebhook(target, TWILIO_VOICE_PATH, fields);
    expect(await retry.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });
});
