import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

/**
 * A realtime endpoint for load tests that answers instantly: every `input_audio_buffer.append`
 * comes straight back as a `response.output_audio.delta` with the same base64 payload. The audio
 * path through a bridge can then be timed frame by frame, and the echo adds next to nothing:
 * append frames are recognised and answered with string operations, without JSON parsing.
 * Other events get the minimal GA answers (`session.created`/`updated`, an empty response).
 *
 * Run as a child process (`node fakes/realtime/echo-server.ts`), it prints `{"port":…}` once listening.
 */

const APPEND_TYPE = '"input_audio_buffer.append"';
const AUDIO_KEY = '"audio":"';
const ECHO_RESPONSE = 'resp_echo';
const ECHO_ITEM = 'item_echo';
const DELTA_PREFIX = `{"type":"response.output_audio.delta","response_id":"${ECHO_RESPONSE}","item_id":"${ECHO_ITEM}","output_index":0,"content_index":0,"delta":"`;

export interface EchoRealtimeServer {
  url: string;
  close(): Promise<void>;
}

export async function startEchoRealtime(port = 0): Promise<EchoRealtimeServer> {
  const http = createServer((_req, res) => {
    res.writeHead(426).end();
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    let responses = 0;
    let echoStarted = false;
    const sendJson = (event: Record<string, unknown>) => ws.send(JSON.stringify(event));
    sendJson({ type: 'session.created', session: { type: 'realtime', id: 'sess_echo' } });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes(APPEND_TYPE)) {
        const start = text.indexOf(AUDIO_KEY);
        if (start < 0) return;
        const from = start + AUDIO_KEY.length;
        const audio = text.slice(from, text.indexOf('"', from));
        if (!echoStarted) {
          echoStarted = true;
          sendJson({ type: 'response.created', response: { id: ECHO_RESPONSE, status: 'in_progress' } });
        }
        ws.send(`${DELTA_PREFIX}${audio}"}`);
        return;
      }
      let event: { type?: string };
      try {
        event = JSON.parse(text);
      } catch {
        return;
      }
      if (event.type === 'session.update') {
        sendJson({ type: 'session.updated', session: { type: 'realtime' } });
      } else if (event.type === 'response.create') {
        // An instant, silent response (the greeting): created and done.
        const id = `resp_${++responses}`;
        sendJson({ type: 'response.created', response: { id, status: 'in_progress' } });
        sendJson({
          type: 'response.done',
          response: {
            id,
            status: 'completed',
            output: [],
            usage: { total_tokens: 0, input_tokens: 0, output_tokens: 0 },
          },
        });
      }
    });
    ws.on('error', () => undefined);
  });
  http.listen(port, '127.0.0.1');
  await once(http, 'listening');
  const address = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${address.port}/v1/realtime`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startEchoRealtime();
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
