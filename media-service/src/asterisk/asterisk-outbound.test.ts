import { describe, expect, it } from 'vitest';
import { queueUrlsFromEnv, sendMediaCommand } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import type { OriginateOutcome } from '../../../fakes/asterisk/ari-server.ts';
import { startMediaCommandConsumer } from '../commands/media-command-consumer.ts';
import type { CallSession } from '../session/call-session.ts';
import {
  APP,
  appendsReceived,
  NUMBER,
  pattern,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

const { media, setup, outboundCall, cleanups } = useAsteriskHarness();

describe('Asterisk outbound calls from the media command queue', () => {
  async function queuedCall(to: string) {
    const { call, command } = await outboundCall(to);
    await sendMediaCommand(sqsFromEnv(), queueUrlsFromEnv(), command);
    return call;
  }

  it('originates, runs the answered call, and maps busy and no-answer to the call status', async () => {
    const outcomes: Record<string, OriginateOutcome> = {
      'PJSIP/+15550001111@trunk': 'answer',
      'PJSIP/+15550002222@trunk': 'busy',
      'PJSIP/+15550003333@trunk': 'no_answer',
    };
    const s = await setup({ originate: (endpoint) => outcomes[endpoint] ?? 'failed' });
    const consumer = startMediaCommandConsumer({
      sqs: sqsFromEnv(),
      queueUrl: queueUrlsFromEnv().mediaCommands as string,
      logger: s.service.sessionDeps.logger,
      registry: s.service.registry,
      asterisk: s.asterisk,
      waitSeconds: 1,
    });
    cleanups.push(() => consumer.stop());

    const before = media().realtime.connections.length;
    const answered = await queuedCall('+15550001111');
    const busy = await queuedCall('+15550002222');
    const noAnswer = await queuedCall('+15550003333');

    const model = await media().realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const originate = await s.ari.waitForRequest(
      (r) =>
        r.method === 'POST' &&
        r.path === '/ari/channels' &&
        r.query.get('endpoint') === 'PJSIP/+15550001111@trunk',
    );
    expect(Object.fromEntries(originate.query)).toMatchObject({
      app: APP,
      appArgs: `outbound,${answered.id}`,
      callerId: NUMBER,
      channelId: `ai-caller-out-${answered.id}`,
    });
    expect(s.ari.requests.some((r) => r.path.endsWith(`ai-caller-out-${answered.id}/answer`))).toBe(false);

    const [busyEvent] = await media().eventsFor(busy.id, 1);
    const [noAnswerEvent] = await media().eventsFor(noAnswer.id, 1);
    expect(busyEvent).toMatchObject({ type: 'call.ended', status: 'busy' });
    expect(noAnswerEvent).toMatchObject({ type: 'call.ended', status: 'no_answer' });
    expect((await media().callRecord(busy.id))?.status).toBe('busy');
    expect((await media().callRecord(noAnswer.id))?.status).toBe('no_answer');

    // Real RTP both ways on the answered call, exactly as inbound.
    const mediaRequest = await s.ari.waitForRequest((r) => r.path === '/ari/channels/externalMedia');
    const ourRtp = {
      address: '127.0.0.1',
      port: Number(mediaRequest.query.get('external_host')?.split(':')[1]),
    };
    const callerAudio = pattern(160 * 5, 4);
    void s.peer.startSending(ourRtp, callerAudio);
    await appendsReceived(model, callerAudio.length);
    expect(model.receivedAudio().subarray(0, callerAudio.length)).toEqual(callerAudio);
    const hello = pattern(160 * 4, 6);
    model.speak('resp_1', 'item_a1', [hello], 'Hello, this is the clinic calling.');
    await s.peer.waitForPackets(4);
    expect(Buffer.concat(s.peer.received.map((p) => p.payload))).toEqual(hello);

    // call.end through the queue ends the live session of the answered call.
    const session = s.service.registry.get(answered.id) as CallSession;
    await sendMediaCommand(sqsFromEnv(), queueUrlsFromEnv(), {
      type: 'call.end',
      tenantId: answered.tenantId,
      callId: answered.id,
      reason: 'api_request',
    });
    await session.closed;
    const record = await media().callRecord(answered.id);
    expect(record).toMatchObject({
      status: 'completed',
      endReason: 'api_request',
      providerCallId: `ai-caller-out-${answered.id}`,
    });
    await s.ari.waitUntil(() => s.ari.bridges.size === 0);
    expect(s.asterisk.ports?.inUse).toBe(0);
  });
});
