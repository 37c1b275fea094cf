import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * The benchmark's baseline: the barest working Twilio ↔ realtime bridge, the shape of the public
 * samples. Per call one model socket; caller `media` payloads are forwarded as
 * `input_audio_buffer.append`, model audio deltas go back as `media` plus one playback `mark`
 * each (what any bridge that supports barge-in must send). No admission, state machine,
 * transcript, usage or telemetry: it is the floor the media service is compared against.
 */
export interface PassthroughBridge {
  port: number;
  close(): Promise<void>;
}

export async function startPassthroughBridge(options: {
  realtimeUrl: string;
  apiKey: string;
}): Promise<PassthroughBridge> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/twilio/stream', perMessageDeflate: false });
  wss.on('connection', (twilio) => {
    let streamSid = '';
    let model: WebSocket | undefined;
    let modelOpen = false;
    const pending: string[] = [];
    let sentBytes = 0;

    const openModel = () => {
      model = new WebSocket(`${options.realtimeUrl}?model=bench`, {
        headers: { authorization: `Bearer ${options.apiKey}` },
        perMessageDeflate: false,
      });
      model.on('open', () => {
        modelOpen = true;
        model?.send(
          JSON.stringify({
            type: 'session.update',
            session: {
              type: 'realtime',
              audio: {
                input: { format: { type: 'audio/pcmu' } },
                output: { format: { type: 'audio/pcmu' } },
              },
            },
          }),
        );
        for (const frame of pending.splice(0)) model?.send(frame);
      });
      model.on('message', (data) => {
        const event = JSON.parse(data.toString()) as { type: string; delta?: string; item_id?: string };
        if (event.type !== 'response.output_audio.delta' || !event.delta) return;
        sentBytes += (event.delta.length * 3) / 4;
        twilio.send(`{"event":"media","streamSid":"${streamSid}","media":{"payload":"${event.delta}"}}`);
        twilio.send(
          JSON.stringify({ event: 'mark', streamSid, mark: { name: `${event.item_id}:${sentBytes}` } }),
        );
      });
      model.on('error', () => twilio.close(1011, 'model_error'));
      model.on('close', () => twilio.close(1000, 'model_closed'));
    };

    twilio.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as {
        event: string;
        streamSid?: string;
        media?: { payload: string };
      };
      if (frame.event === 'media' && frame.media) {
        const append = `{"type":"input_audio_buffer.append","audio":"${frame.media.payload}"}`;
        if (modelOpen) model?.send(append);
        else pending.push(append);
      } else if (frame.event === 'start') {
        streamSid = frame.streamSid ?? '';
        openModel();
      } else if (frame.event === 'stop') {
        twilio.close(1000, 'stop');
      }
    });
    twilio.on('close', () => model?.close());
    twilio.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
