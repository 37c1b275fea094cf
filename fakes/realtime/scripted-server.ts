import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A scriptable stand-in for the OpenAI Realtime API (GA event names) over a real WebSocket on a
 * loopback port. It checks what the real endpoint checks first (Bearer auth, `?model=`, no beta
 * header), sends `session.created` on connect, records every client event, and lets a test
 * speak the server side: VAD events, audio deltas, transcripts, function calls, `response.done`
 * with usage, errors and abrupt disconnects.
 */

export interface ClientEvent {
  type: string;
  [key: string]: unknown;
}

export interface FakeRealtimeConnection {
  readonly index: number;
  readonly model: string | null;
  readonly authorization: string | undefined;
  readonly betaHeader: string | undefined;
  /** Client events in arrival order (audio appends included). */
  readonly received: ClientEvent[];
  /** Resolves with the first client event (past or future) of `type` matching `match`. */
  waitFor(type: string, match?: (event: ClientEvent) => boolean): Promise<ClientEvent>;
  /** Every `input_audio_buffer.append` payload so far, decoded and joined. */
  receivedAudio(): Buffer;
  send(event: Record<string, unknown>): void;
  sendRaw(text: string): void;
  speechStarted(itemId: string, audioStartMs?: number): void;
  speechStopped(itemId: string, audioEndMs?: number): void;
  callerTranscript(itemId: string, transcript: string): void;
  /** response.created for `responseId`. */
  responseCreated(responseId: string): void;
  audioDelta(responseId: string, itemId: string, audio: Buffer): void;
  transcriptDelta(responseId: string, itemId: string, delta: string): void;
  transcriptDone(responseId: string, itemId: string, transcript: string): void;
  functionCall(responseId: string, callId: string, name: string, args: unknown): void;
  responseDone(responseId: string, status?: string, usage?: Record<string, unknown>): void;
  /**
   * A whole spoken response: created, audio deltas (one per chunk), transcript done, done with
   * usage. Returns the usage it reported.
   */
  speak(responseId: string, itemId: string, chunks: Buffer[], transcript: string): Record<string, unknown>;
  error(code: string, message?: string): void;
  /** Closes the socket from the server side with a close frame. */
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection without a close frame. */
  drop(): void;
  readonly closed: Promise<void>;
  /** Set when this connection was answered with an error instead of `session.created`. */
  connectError?: string;
}

export interface FakeRealtimeServer {
  /** `ws://127.0.0.1:port/v1/realtime`: put it in OPENAI_REALTIME_URL. */
  url: string;
  readonly connections: FakeRealtimeConnection[];
  /** Resolves with connection number `index` (0-based) once it is open. */
  connection(index: number): Promise<FakeRealtimeConnection>;
  /** Resolves with the first connection (past or future) that received a `session.update`. */
  nextConfigured(after?: number): Promise<FakeRealtimeConnection>;
  /** The next upgrade is answered with this HTTP status instead (e.g. 401 for a bad key). */
  rejectNextUpgrade(status: number): void;
  /**
   * The next connection waits for the returned release before sending `session.created` (a slow
   * model handshake), so tests can send caller audio before the model is ready.
   */
  holdNextSession(): () => void;
  /** Answers every later upgrade with `error` of this code right after connecting. */
  setConnectError(code: string | undefined): void;
  close(): Promise<void>;
}

export function sampleUsage(): Record<string, unknown> {
  return {
    total_tokens: 180,
    input_tokens: 120,
    output_tokens: 60,
    input_token_details: {
      text_tokens: 100,
      audio_tokens: 20,
      cached_tokens: 40,
      cached_tokens_details: { text_tokens: 40, audio_tokens: 0 },
    },
    output_token_details: { text_tokens: 15, audio_tokens: 45 },
  };
}

export async function startFakeRealtime(): Promise<FakeRealtimeServer> {
  const http = createServer((_req, res) => {
    res.writeHead(426).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const connections: FakeRealtimeConnection[] = [];
  const configuredWaiters: { after: number; resolve: (c: FakeRealtimeConnection) => void }[] = [];
  const connectionWaiters: { index: number; resolve: (c: FakeRealtimeConnection) => void }[] = [];
  let rejectStatus: number | undefined;
  let connectError: string | undefined;
  let heldSession: Promise<void> | undefined;

  const notifyConfigured = (connection: FakeRealtimeConnection) => {
    for (const waiter of [...configuredWaiters]) {
      if (connection.index >= waiter.after) {
        configuredWaiters.splice(configuredWaiters.indexOf(waiter), 1);
        waiter.resolve(connection);
      }
    }
  };

  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (
      rejectStatus !== undefined ||
      !req.headers.authorization?.startsWith('Bearer ') ||
      !url.searchParams.get('model')
    ) {
      const status = rejectStatus ?? 401;
      rejectStatus = undefined;
      socket.end(`HTTP/1.1 ${status} Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = wrap(ws, req, connections.length, notifyConfigured);
      connection.connectError = connectError;
      connections.push(connection);
      for (const waiter of connectionWaiters.filter((w) => w.index === connection.index)) {
        connectionWaiters.splice(connectionWaiters.indexOf(waiter), 1);
        waiter.resolve(connection);
      }
      const hold = heldSession ?? Promise.resolve();
      heldSession = undefined;
      const errorCode = connectError;
      void hold.then(() => {
        if (errorCode) connection.error(errorCode, 'Incorrect API key provided.');
        else
          connection.send({
            type: 'session.created',
            session: { type: 'realtime', id: `sess_${connection.index}` },
          });
      });
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    connections,
    connection(index) {
      const existing = connections[index];
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => connectionWaiters.push({ index, resolve }));
    },
    nextConfigured(after = 0) {
      const ready = connections.find(
        (c) => c.index >= after && c.received.some((e) => e.type === 'session.update'),
      );
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => configuredWaiters.push({ after, resolve }));
    },
    rejectNextUpgrade(status) {
      rejectStatus = status;
    },
    holdNextSession() {
      let release!: () => void;
      heldSession = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
    setConnectError(code) {
      connectError = code;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function wrap(
  ws: WebSocket,
  req: IncomingMessage,
  index: number,
  onConfigured: (connection: FakeRealtimeConnection) => void,
): FakeRealtimeConnection {
  const received: ClientEvent[] = [];
  const waiters: { type: string; match: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }[] =
    [];
  const url = new URL(req.url ?? '/', 'http://fake');
  let configured = false;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const send = (event: Record<string, unknown>) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  };

  const connection: FakeRealtimeConnection = {
    index,
    model: url.searchParams.get('model'),
    authorization: req.headers.authorization,
    betaHeader: req.headers['openai-beta'] as string | undefined,
    received,
    closed,
    waitFor(type, match = () => true) {
      const found = received.find((e) => e.type === type && match(e));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ type, match, resolve }));
    },
    receivedAudio: () =>
      Buffer.concat(
        received
          .filter((e) => e.type === 'input_audio_buffer.append')
          .map((e) => Buffer.from(String(e.audio), 'base64')),
      ),
    send,
    sendRaw: (text) => ws.send(text),
    speechStarted: (itemId, audioStartMs = 0) =>
      send({ type: 'input_audio_buffer.speech_started', audio_start_ms: audioStartMs, item_id: itemId }),
    speechStopped: (itemId, audioEndMs = 0) =>
      send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: audioEndMs, item_id: itemId }),
    callerTranscript(itemId, transcript) {
      // gpt-4o-transcribe streams the words before the completed transcript.
      for (const delta of transcriptPieces(transcript, 2)) {
        send({
          type: 'conversation.item.input_audio_transcription.delta',
          item_id: itemId,
          content_index: 0,
          delta,
        });
      }
      send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
        usage: { type: 'tokens', input_tokens: 7, output_tokens: 3, total_tokens: 10 },
      });
    },
    responseCreated: (responseId) =>
      send({
        type: 'response.created',
        response: { id: responseId, object: 'realtime.response', status: 'in_progress' },
      }),
    audioDelta: (responseId, itemId, audio) =>
      send({
        type: 'response.output_audio.delta',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: audio.toString('base64'),
      }),
    transcriptDelta: (responseId, itemId, delta) =>
      send({
        type: 'response.output_audio_transcript.delta',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta,
      }),
    transcriptDone: (responseId, itemId, transcript) =>
      send({
        type: 'response.output_audio_transcript.done',
        response_id: responseId,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        transcript,
      }),
    functionCall: (responseId, callId, name, args) =>
      send({
        type: 'response.function_call_arguments.done',
        response_id: responseId,
        item_id: `item_fc_${callId}`,
        output_index: 0,
        call_id: callId,
        name,
        arguments: JSON.stringify(args),
      }),
    responseDone: (responseId, status = 'completed', usage = sampleUsage()) =>
      send({
        type: 'response.done',
        response: { id: responseId, object: 'realtime.response', status, usage },
      }),
    speak(responseId, itemId, chunks, transcript) {
      connection.responseCreated(responseId);
      // As the real server does: the transcript streams alongside the audio, ahead of it.
      const pieces = transcriptPieces(transcript, chunks.length);
      chunks.forEach((chunk, i) => {
        if (pieces[i]) connection.transcriptDelta(responseId, itemId, pieces[i]);
        connection.audioDelta(responseId, itemId, chunk);
      });
      connection.transcriptDone(responseId, itemId, transcript);
      const usage = sampleUsage();
      connection.responseDone(responseId, 'completed', usage);
      return usage;
    },
    error: (code, message = code) =>
      send({
        type: 'error',
        event_id: `evt_${Date.now()}`,
        error: { type: 'invalid_request_error', code, message },
      }),
    close: (code = 1000, reason = '') => ws.close(code, reason),
    drop: () => ws.terminate(),
  };

  ws.on('message', (data) => {
    let event: ClientEvent;
    try {
      event = JSON.parse(data.toString()) as ClientEvent;
    } catch {
      event = { type: '(malformed)', raw: data.toString() };
    }
    received.push(event);
    if (event.type === 'session.update') {
      send({ type: 'session.updated', session: (event as { session?: unknown }).session });
      if (!configured) {
        configured = true;
        onConfigured(connection);
      }
    }
    for (const waiter of [...waiters]) {
      if (waiter.type === event.type && waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  return connection;
}

/** `text` cut into at most `count` consecutive pieces at word boundaries (they join back to it). */
function transcriptPieces(text: string, count: number): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  if (words.length === 0 || count < 1) return [];
  const size = Math.ceil(words.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += size) pieces.push(words.slice(i, i + size).join(''));
  return pieces;
}
