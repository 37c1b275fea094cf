import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { FakeChannel } from '../../../fakes/asterisk/ari-server.ts';
import {
  APP,
  NUMBER,
  PERCALL_PASSWORD,
  PERCALL_USER,
  usePerCallHarness,
} from '../../../test/media-service/asterisk-percall-harness.ts';

const { setup, inboundCall } = usePerCallHarness();

const pattern = (bytes: number, seed: number) =>
  Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 7 + seed) & 0xff));

/**
 * Callers alternate between the two tasks (calls are placed one after the other); the n-th media
 * channel belongs to the n-th call, and its own connection lands on the task that does not own it.
 */
function alternating() {
  let callers = 0;
  let mediaChannels = 0;
  return (channel: FakeChannel) =>
    channel.name.startsWith('WebSocket/') ? (mediaChannels++ + 1) % 2 : callers++ % 2;
}

/** Opens a per-call connection by hand and reports how the upgrade was answered. */
function tryUpgrade(url: string, headers: Record<string, string>, protocol?: string) {
  return new Promise<{ status: number; messages: number }>((resolve) => {
    const ws = new WebSocket(url, protocol, { headers });
    let messages = 0;
    ws.on('message', () => messages++);
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, messages }));
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101, messages });
    });
    ws.on('error', () => undefined);
  });
}
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Asterisk per-call mode with several media tasks sharing one PBX', () => {
  it('spreads calls over two tasks; each owns its caller, holds the other call’s media channel, and cleans up', async () => {
    const pick = alternating();
    const s = await setup({ tasks: 2, pick: (channel) => pick(channel) });
    const [a, b] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const first = await inboundCall(s, '5550000001');
    const second = await inboundCall(s, '5550000002');
    expect(first.owner).toBe(a);
    expect(second.owner).toBe(b);
    expect(a.service.registry.get(second.call.id)).toBeUndefined();
    expect(b.service.registry.get(first.call.id)).toBeUndefined();

    // Each media channel's own connection went to the task that does not own the call, which left it alone.
    for (const { mediaChannelId, owner } of [first, second]) {
      const conn = s.ari.perCallConnections.find((c) => c.channelId === mediaChannelId)!;
      expect(conn.target).not.toBe(owner.url);
      expect(conn.closeCode).toBeUndefined();
      expect(s.ari.requests.some((r) => r.conn === conn.number)).toBe(false);
    }

    // Audio both ways on both calls at once.
    const audio = [pattern(160 * 5, 11), pattern(160 * 5, 22)];
    await Promise.all([
      s.ari.sendMedia(first.mediaChannelId, audio[0]!),
      s.ari.sendMedia(second.mediaChannelId, audio[1]!),
    ]);
    for (const [i, call] of [first, second].entries()) {
      await call.model.waitFor('input_audio_buffer.append', () => call.model.receivedAudio().length >= 800);
      expect(call.model.receivedAudio().subarray(0, 800)).toEqual(audio[i]);
      call.model.speak('resp_1', 'item_a1', [pattern(160 * 3, i)], 'Hello');
    }
    for (const [i, call] of [first, second].entries()) {
      const socket = s.ari.mediaSockets.get(call.mediaChannelId)!;
      await s.ari.waitUntil(() => socket.received.length >= 3);
      expect(Buffer.concat(socket.received)).toEqual(pattern(160 * 3, i));
    }

    s.ari.hangUp(first.channel.id);
    s.ari.hangUp(second.channel.id);
    await Promise.all([first.session.closed, second.session.closed]);
    await s.ari.waitUntil(() => s.ari.channels.size === 0 && s.ari.bridges.size === 0);
    await s.ari.waitUntil(() => a.transport.connections === 0 && b.transport.connections === 0);
    expect(a.transport.calls.size + b.transport.calls.size).toBe(0);
  });

  it('a task receiving the re-connected connection of a call whose owner is gone hangs it up and removes the leftovers', async () => {
    // The call and its media channel on the first task; Asterisk's re-connection lands on the second.
    const s = await setup({
      tasks: 2,
      pick: (_channel, attempt) => (attempt < 2 ? 0 : 1),
      unclaimedAfterMs: 50,
    });
    const [a, b] = s.tasks as [(typeof s.tasks)[0], (typeof s.tasks)[0]];
    const { channel, call, session, owner } = await inboundCall(s);
    expect(owner).toBe(a);
    // The owner is cut off from Asterisk entirely: its control connection drops and ARI HTTP is unreachable.
    s.ari.setRestDown(true);
    s.ari.dropPerCallConnection(channel.id);
    await session.closed;
    await s.ari.waitUntil(() => !s.ari.channels.has(channel.id) && s.ari.bridges.size === 0);
    const reopened = s.ari.perCallConnections.find((c) => c.reconnect && c.channelId === channel.id)!;
    expect(reopened.target).toBe(b.url);
    // The old media channel is hung up too if it was still bridged: its owner closes its media
    // socket only after storing the call's end, which a loaded machine makes slower than 50 ms.
    const oldMedia = `DELETE /ari/channels/ai-caller-media-${call.id}`;
    expect(
      s.ari.requests
        .filter((r) => r.conn === reopened.number)
        .map((r) => `${r.method} ${r.path}`)
        .filter((r) => r !== oldMedia),
    ).toEqual([
      'GET /ari/channels',
      'GET /ari/bridges',
      `DELETE /ari/bridges/ai-caller-bridge-${call.id}`,
      `DELETE /ari/channels/${channel.id}`,
    ]);
    expect(b.service.registry.get(call.id)).toBeUndefined();
    s.ari.setRestDown(false);
  });

  it('refuses bad credentials and a missing ari sub-protocol before any ARI traffic', async () => {
    const s = await setup();
    const url = s.tasks[0]!.url;
    expect(await tryUpgrade(url, { authorization: basic(PERCALL_USER, 'wrong') }, 'ari')).toEqual({
      status: 401,
      messages: 0,
    });
    expect(await tryUpgrade(url, {}, 'ari')).toEqual({ status: 401, messages: 0 });
    expect(await tryUpgrade(url, { authorization: basic(PERCALL_USER, PERCALL_PASSWORD) })).toEqual({
      status: 400,
      messages: 0,
    });
    expect(s.tasks[0]!.transport.connections).toBe(0);
  });

  it('a PBX configured with the wrong password gets 401 and its caller is never answered', async () => {
    const s = await setup({ percallPassword: 'not-the-secret' });
    const caller = s.ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5557654321' });
    await s.ari.waitUntil(() => s.ari.perCallRefusals.length === 1);
    expect(s.ari.perCallRefusals).toEqual([401]);
    // Nothing but the dialer's start-up reads of the API documents: no call control at all.
    expect(s.ari.requests.filter((r) => r.conn !== undefined || r.method !== 'GET')).toEqual([]);
    expect(s.ari.channels.get(caller.id)?.state).toBe('Ring');
  });

  it('a draining task refuses new per-call connections with 503 and keeps its live call', async () => {
    const s = await setup();
    const task = s.tasks[0]!;
    const live = await inboundCall(s);
    task.service.registry.startDraining();
    s.ari.placeInboundCall({ app: APP, exten: NUMBER.slice(1), callerNumber: '5550000003' });
    await s.ari.waitUntil(() => s.ari.perCallRefusals.length === 1);
    expect(s.ari.perCallRefusals).toEqual([503]);
    // The live call goes on: its audio still flows and it ends normally.
    const audio = pattern(160 * 3, 5);
    await s.ari.sendMedia(live.mediaChannelId, audio);
    await live.model.waitFor('input_audio_buffer.append', () => live.model.receivedAudio().length >= 480);
    expect(live.model.receivedAudio().subarray(0, 480)).toEqual(audio);
    expect(task.service.registry.get(live.call.id)).toBeDefined();
    s.ari.hangUp(live.channel.id);
    await live.session.closed;
    await s.ari.waitUntil(() => task.transport.calls.size === 0);
  });
});
