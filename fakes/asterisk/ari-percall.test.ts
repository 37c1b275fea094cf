import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { loadPerCallRecording } from '../../test/fixtures/asterisk-22/recordings.ts';
import { type FakeAriServer, startFakeAriServer } from './ari-server.ts';

/**
 * The fake's per-call side against the recording of a real Asterisk 22.10.1
 * (`ari-percall-websocket.json`): who connects to whom, the message shapes, the 422 before the
 * media channel's socket is connected, MEDIA_START and its fields, the second connection.
 */
const recording = loadPerCallRecording();
const recorded = (match: (e: (typeof recording)[number]) => boolean) => recording.find(match)!;
const keys = (value: object) => Object.keys(value).sort();

type Message = Record<string, unknown> & { type: string };
interface AppConnection {
  headers: Record<string, string | string[] | undefined>;
  messages: Message[];
  socket: WebSocket;
  closeCode?: number;
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function appAndFake() {
  const fake: FakeAriServer = await startFakeAriServer({ username: 'ari', password: 'ari-pass' });
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'ari' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const connections: AppConnection[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  server.on('connection', (socket, req) => {
    const connection: AppConnection = { headers: req.headers, messages: [], socket };
    connections.push(connection);
    socket.on('message', (data) => {
      connection.messages.push(JSON.parse(data.toString()) as Message);
      wake();
    });
    socket.on('close', (code) => {
      connection.closeCode = code;
      wake();
    });
    wake();
  });
  closers.push(
    () => fake.close(),
    () => server.close(),
  );
  fake.enablePerCall({
    app: 'percall-app',
    targets: [`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ari`],
    username: 'asterisk',
    password: 's3cret',
  });
  const until = async (match: () => boolean) => {
    while (!match()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  let transaction = 0;
  const rest = async (connection: AppConnection, method: string, uri: string) => {
    const id = `t${++transaction}`;
    connection.socket.send(
      JSON.stringify({ type: 'RESTRequest', transaction_id: id, request_id: id, method, uri }),
    );
    await until(() => connection.messages.some((m) => m.transaction_id === id));
    return connection.messages.find((m) => m.transaction_id === id)!;
  };
  return { fake, connections, until, rest };
}

describe('fake ARI server, per-call mode, against the Asterisk 22.10.1 recording', () => {
  it('connects to the app, speaks REST over the socket, and serves chan_websocket media as recorded', async () => {
    const { fake, connections, until, rest } = await appAndFake();
    const caller = fake.placeInboundCall({
      app: 'percall-app',
      exten: '15550001111',
      callerNumber: '5557654321',
    });
    await until(() => connections[0]?.messages.some((m) => m.type === 'StasisStart') === true);
    const first = connections[0]!;
    const connect = recorded((e) => e.conn === 1 && e.kind === 'connect').data as {
      headers: Record<string, string>;
    };
    expect(first.headers['sec-websocket-protocol']).toBe(connect.headers['sec-websocket-protocol']);
    expect(first.headers.authorization).toBe(`Basic ${Buffer.from('asterisk:s3cret').toString('base64')}`);

    const [registered, stasisStart] = first.messages as [Message, Message];
    const recordedRegistered = recorded((e) => e.conn === 1 && e.data.type === 'ApplicationRegistered').data;
    expect(keys(registered)).toEqual(keys(recordedRegistered));
    expect(registered.application).toBe(`percall-app:${caller.name}`);
    expect(stasisStart).toMatchObject({ type: 'StasisStart', args: ['inbound', '15550001111'] });

    const responseKeys = keys(
      recorded((e) => e.data.type === 'RESTResponse' && e.data.status_code === 204).data,
    );
    const answer = await rest(first, 'POST', `channels/${caller.id}/answer`);
    expect(keys(answer)).toEqual(responseKeys);
    expect(answer).toMatchObject({
      status_code: 204,
      reason_phrase: 'No Content',
      uri: `channels/${caller.id}/answer`,
    });

    const mediaAnswer = await rest(
      first,
      'POST',
      'channels/externalMedia?app=percall-app&transport=websocket&encapsulation=none&connection_type=server&format=ulaw',
    );
    const recordedMedia = recorded(
      (e) => e.data.type === 'RESTResponse' && e.data.uri === 'channels/externalMedia',
    ).data;
    expect(mediaAnswer).toMatchObject({
      status_code: 200,
      reason_phrase: 'OK',
      uri: 'channels/externalMedia',
    });
    const mediaChannel = JSON.parse(mediaAnswer.message_body as string) as {
      id: string;
      name: string;
      channelvars: Record<string, string>;
    };
    const recordedChannel = JSON.parse(recordedMedia.message_body as string) as typeof mediaChannel;
    expect(keys(mediaChannel)).toEqual(keys(recordedChannel));
    expect(keys(mediaChannel.channelvars)).toEqual(keys(recordedChannel.channelvars));
    expect(mediaChannel.name).toMatch(/^WebSocket\/INCOMING\/0x[0-9a-f]+$/);

    const bridge = JSON.parse((await rest(first, 'POST', 'bridges?type=mixing')).message_body as string) as {
      id: string;
    };
    const early = await rest(first, 'POST', `bridges/${bridge.id}/addChannel?channel=${mediaChannel.id}`);
    const recorded422 = recorded((e) => e.data.type === 'RESTResponse' && e.data.status_code === 422).data;
    expect(early).toMatchObject({
      status_code: 422,
      reason_phrase: recorded422.reason_phrase,
      message_body: recorded422.message_body,
    });

    // The app connects to /media/<id>: MEDIA_START with the recorded fields, then the second connection.
    const media = new WebSocket(
      `${fake.url.replace('http', 'ws')}/media/${mediaChannel.channelvars.MEDIA_WEBSOCKET_CONNECTION_ID}`,
      'media',
      {
        headers: { authorization: `Basic ${Buffer.from('ari:ari-pass').toString('base64')}` },
      },
    );
    closers.push(() => media.terminate());
    const mediaStart = await new Promise<string>((resolve) =>
      media.once('message', (data) => resolve(data.toString())),
    );
    const recordedStart = recorded((e) => e.conn === 'media' && e.kind === 'text').data as unknown as string;
    const fields = (line: string) => line.split(' ').map((part) => part.split(':')[0]);
    expect(fields(mediaStart)).toEqual(fields(recordedStart));
    expect(mediaStart).toContain(`channel_id:${mediaChannel.id} format:ulaw optimal_frame_size:160 ptime:20`);

    await until(() => connections[1]?.messages.some((m) => m.type === 'StasisStart') === true);
    expect(connections[1]!.messages[0]).toMatchObject({
      type: 'ApplicationRegistered',
      application: `percall-app:${mediaChannel.name}`,
    });
    expect(connections[1]!.messages[1]).toMatchObject({ type: 'StasisStart', args: [] });
    expect(
      await rest(first, 'POST', `bridges/${bridge.id}/addChannel?channel=${mediaChannel.id}`),
    ).toMatchObject({
      status_code: 204,
    });

    const frameBytes = recorded((e) => e.kind === 'binary-first-frame').data.bytes;
    const frames: Buffer[] = [];
    media.on('message', (data, isBinary) => isBinary && frames.push(data as Buffer));
    await fake.sendMedia(mediaChannel.id, Buffer.alloc(480, 0x55));
    await until(() => frames.length === 3);
    expect(frames.map((f) => f.length)).toEqual([frameBytes, frameBytes, frameBytes]);

    await rest(first, 'DELETE', `channels/${caller.id}`);
    await until(() => first.closeCode !== undefined);
    expect(first.closeCode).toBe(recorded((e) => e.conn === 1 && e.kind === 'close').data.code);
  });

  it('re-opens a dropped connection of a live channel with only ApplicationRegistered', async () => {
    const { fake, connections, until } = await appAndFake();
    const caller = fake.placeInboundCall({
      app: 'percall-app',
      exten: '15550001111',
      callerNumber: '5557654321',
    });
    await until(() => connections[0]?.messages.some((m) => m.type === 'StasisStart') === true);
    connections[0]!.socket.terminate();
    await until(() => connections[1]?.messages.length === 1);
    expect(connections[1]!.messages).toEqual([
      expect.objectContaining({ type: 'ApplicationRegistered', application: `percall-app:${caller.name}` }),
    ]);
  });
});
