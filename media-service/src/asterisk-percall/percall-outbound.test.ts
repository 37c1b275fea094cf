import { describe, expect, it, vi } from 'vitest';
import { usePerCallHarness } from '../../../test/media-service/asterisk-percall-harness.ts';

const { media, setup, outboundCall } = usePerCallHarness();

const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

describe('Asterisk per-call mode: outbound calls', () => {
  it('dials from one task; the answered channel’s connection lands on another, which finds the call by its app arguments', async () => {
    // Every per-call connection goes to the second task.
    const s = await setup({ tasks: 2, pick: () => 1 });
    const [dialer, answerer] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const before = media().realtime.connections.length;
    const { call, command } = await outboundCall('+15550001234');
    await dialer.transport.originate(command);

    const originate = s.ari.requests.find((r) => r.method === 'POST' && r.path === '/ari/channels')!;
    expect(originate.conn).toBeUndefined(); // ARI over HTTP: no per-call connection exists while ringing
    expect(Object.fromEntries(originate.query)).toMatchObject({
      endpoint: 'PJSIP/+15550001234@trunk',
      app: 'ai-caller',
      appArgs: `outbound,${call.id},${call.tenantId}`,
      channelId: `ai-caller-out-${call.id}`,
    });
    const subscription = s.ari.requests.find((r) => r.path.endsWith('/subscription'))!;
    expect(subscription.path).toBe(`/ari/applications/${dialer.transport.dialer.dialerApp}/subscription`);
    expect(subscription.query.get('eventSource')).toBe(`channel:ai-caller-out-${call.id}`);

    const model = await media().realtime.nextConfigured(before);
    await model.waitFor('response.create');
    expect(answerer.service.registry.get(call.id)).toBeDefined();
    expect(dialer.service.registry.get(call.id)).toBeUndefined();
    expect(s.ari.requests.some((r) => r.path.endsWith('/answer'))).toBe(false);
    const mediaChannelId = `ai-caller-media-${call.id}`;
    await s.ari.waitUntil(() => s.ari.bridges.get(`ai-caller-bridge-${call.id}`)?.channels.length === 2);

    const audio = pattern(160 * 4, 9);
    await s.ari.sendMedia(mediaChannelId, audio);
    await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= audio.length);
    expect(model.receivedAudio().subarray(0, audio.length)).toEqual(audio);
    model.speak('resp_1', 'item_a1', [pattern(160 * 2, 4)], 'Hi, this is the agent.');
    const socket = s.ari.mediaSockets.get(mediaChannelId)!;
    await s.ari.waitUntil(() => socket.received.length >= 2);
    expect(Buffer.concat(socket.received)).toEqual(pattern(160 * 2, 4));
    expect(dialer.transport.dialer.ringing).toBe(0);

    s.ari.hangUp(`ai-caller-out-${call.id}`);
    await s.ari.waitUntil(() => s.ari.channels.size === 0 && s.ari.bridges.size === 0);
    await vi.waitFor(async () => expect((await media().callRecord(call.id))?.status).toBe('completed'), {
      timeout: 10_000,
      interval: 20,
    });
    expect(await media().callRecord(call.id)).toMatchObject({
      direction: 'outbound',
      endReason: 'caller_hangup',
    });
  });

  it('records busy from the dialing task when the far end never answers', async () => {
    const s = await setup({ originate: () => 'busy' });
    const { call, command } = await outboundCall('+15550004321');
    await s.tasks[0]!.transport.originate(command);
    await vi.waitFor(async () => expect((await media().callRecord(call.id))?.status).toBe('busy'), {
      timeout: 10_000,
      interval: 20,
    });
    expect(s.ari.perCallConnections).toEqual([]);
    expect(s.tasks[0]!.transport.dialer.ringing).toBe(0);
  });

  it('hangs up an answered channel whose app arguments name no call of ours', async () => {
    const s = await setup();
    const { call } = await outboundCall('+15550005555');
    // A forged originate: our app, our argument shape, but not a channel we dialed for that call.
    const forged = await fetch(
      `${s.ari.url}/ari/channels?endpoint=PJSIP/x@trunk&app=ai-caller&appArgs=outbound,${call.id},${call.tenantId}&channelId=someone-else`,
      {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${s.ari.username}:${s.ari.password}`).toString('base64')}`,
        },
      },
    );
    expect(forged.status).toBe(200);
    await s.ari.waitUntil(() => !s.ari.channels.has('someone-else'));
    expect(s.tasks[0]!.service.registry.get(call.id)).toBeUndefined();
    expect((await media().callRecord(call.id))?.status).toBe('queued');
  });
});
