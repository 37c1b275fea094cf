import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A deterministic stand-in for OpenAI's embeddings API (`POST /v1/embeddings`) over real HTTP.
 * Vectors are feature-hashed bags of words (each lower-cased word adds ±1 to a hashed dimension,
 * then unit length), so texts sharing words are close, as with a real model, and the same text
 * always gets the same vector. It checks the key, model and `dimensions`, and counts inputs.
 */
export interface FakeEmbeddings {
  baseUrl: string;
  apiKey: string;
  /** Inputs embedded so far (what a sync costs). */
  readonly inputs: string[];
  requests: number;
  /** The next `count` requests fail with a 500 (the SDK retries; enough failures exhaust it). */
  failNext(count: number): void;
  close(): Promise<void>;
}

export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const digest = createHash('sha256').update(word).digest();
    const index = digest.readUInt32BE(0) % dimensions;
    vector[index] = (vector[index] as number) + ((digest[4] as number) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

export async function startFakeEmbeddings(options: { apiKey?: string } = {}): Promise<FakeEmbeddings> {
  const apiKey = options.apiKey ?? `sk-test-${randomBytes(8).toString('hex')}`;
  const state = { inputs: [] as string[], requests: 0, failures: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v1/embeddings')
      return send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return send(401, { error: { message: 'bad key', type: 'invalid_request_error' } });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      model?: string;
      input?: string | string[];
      dimensions?: number;
    };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (!body.model || !Array.isArray(inputs) || inputs.length === 0)
      return send(400, { error: { message: 'model and input required', type: 'invalid_request_error' } });
    if (state.failures > 0) {
      state.failures -= 1;
      return send(500, { error: { message: 'scripted failure', type: 'server_error' } });
    }
    state.requests += 1;
    state.inputs.push(...inputs);
    const dimensions = body.dimensions ?? 1536;
    send(200, {
      object: 'list',
      model: body.model,
      data: inputs.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: fakeEmbedding(text, dimensions),
      })),
      usage: { prompt_tokens: inputs.join(' ').length / 4, total_tokens: inputs.join(' ').length / 4 },
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    apiKey,
    get inputs() {
      return state.inputs;
    },
    get requests() {
      return state.requests;
    },
    set requests(value: number) {
      state.requests = value;
    },
    failNext: (count) => {
      state.failures = count;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
