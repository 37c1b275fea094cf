import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embedText } from './schema-answer.ts';

/**
 * A local stand-in for OpenAI's Responses API (`POST /v1/responses`, non-streaming) over real
 * HTTP, for the summary call. It checks the request the way the API would for our use (Bearer
 * key, model, input, a `json_schema` text format with a schema) and answers with the Response
 * object shape the `openai` SDK parses (output message with output_text, usage). It can be told
 * to fail with OpenAI's error bodies: retryable (429, 5xx) or not (400). It also answers
 * `POST /v1/embeddings` with deterministic vectors, for knowledge search without a key.
 */
export interface RecordedResponsesRequest {
  path: string;
  authorized: boolean;
  body: Record<string, unknown>;
  status: number;
}

export interface FakeOpenAiRest {
  /** Put in OPENAI_BASE_URL (ends in /v1, like the real one). */
  baseUrl: string;
  apiKey: string;
  readonly requests: RecordedResponsesRequest[];
  /** What the model "answers": the JSON object to put in output_text (default: a valid summary). */
  respondWith(make: (request: Record<string, unknown>) => unknown): void;
  /** The next `count` matching requests (all with `count: Infinity`) fail with this status. */
  failNext(failure: FailureSpec): void;
  usage: { inputTokens: number; outputTokens: number };
  close(): Promise<void>;
}

export interface FailureSpec {
  status: number;
  message?: string;
  count?: number;
  /** Only requests whose body matches (e.g. the transcript contains a marker); all by default. */
  match?: (body: Record<string, unknown>) => boolean;
}

export const DEFAULT_MODEL_SUMMARY = {
  summary: 'The caller asked to move their dentist appointment to Friday; the agent rebooked it for 10:00.',
  sentiment: 'positive',
  actionItems: ['Send the caller a confirmation text for Friday 10:00.'],
  qaScore: 88,
  qaReasons: ['Confirmed the new time back to the caller.', 'Did not ask for a callback number.'],
};

export async function startFakeOpenAiRest(
  options: { apiKey?: string; port?: number } = {},
): Promise<FakeOpenAiRest> {
  const apiKey = options.apiKey ?? `sk-test-${randomBytes(12).toString('hex')}`;
  const requests: RecordedResponsesRequest[] = [];
  const failures: (FailureSpec & { count: number })[] = [];
  let make: (request: Record<string, unknown>) => unknown = () => DEFAULT_MODEL_SUMMARY;
  const usage = { inputTokens: 812, outputTokens: 164 };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_${randomBytes(6).toString('hex')}`,
    });
    res.end(JSON.stringify(body));
  };
  const error = (message: string, type: string, code: string | null = null) => ({
    error: { message, type, param: null, code },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      body = {};
    }
    const record: RecordedResponsesRequest = {
      path: req.url ?? '',
      authorized: req.headers.authorization === `Bearer ${apiKey}`,
      body,
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, payload: unknown) => {
      record.status = status;
      send(res, status, payload);
    };
    if (req.method !== 'POST' || (req.url !== '/v1/responses' && req.url !== '/v1/embeddings'))
      return reply(404, error(`Invalid URL (${req.method} ${req.url})`, 'invalid_request_error'));
    if (!record.authorized)
      return reply(401, error('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    if (req.url === '/v1/embeddings') return reply(...embeddings(body));
    const failure = failures.find((f) => !f.match || f.match(body));
    if (failure) {
      failure.count -= 1;
      if (failure.count <= 0) failures.splice(failures.indexOf(failure), 1);
      const type =
        failure.status === 429
          ? 'rate_limit_error'
          : failure.status >= 500
            ? 'server_error'
            : 'invalid_request_error';
      return reply(failure.status, error(failure.message ?? 'Injected failure.', type));
    }
    const format = (body.text as { format?: Record<string, unknown> } | undefined)?.format;
    if (typeof body.model !== 'string' || !body.model)
      return reply(400, error("Missing required parameter: 'model'.", 'invalid_request_error'));
    if (typeof body.input !== 'string' && !Array.isArray(body.input))
      return reply(400, error("Missing required parameter: 'input'.", 'invalid_request_error'));
    if (
      format?.type !== 'json_schema' ||
      typeof format.name !== 'string' ||
      typeof format.schema !== 'object'
    )
      return reply(
        400,
        error(
          "Invalid 'text.format': a json_schema format with name and schema is expected.",
          'invalid_request_error',
        ),
      );
    const text = JSON.stringify(make(body));
    reply(200, {
      id: `resp_${randomBytes(12).toString('hex')}`,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: body.model,
      output: [
        {
          type: 'message',
          id: `msg_${randomBytes(12).toString('hex')}`,
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [] }],
        },
      ],
      usage: {
        input_tokens: usage.inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: usage.outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
    });
  };

  /** `POST /v1/embeddings`: one vector per input, `dimensions` long (1536 by default). */
  const embeddings = (body: Record<string, unknown>): [number, unknown] => {
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    if (typeof body.model !== 'string' || !Array.isArray(inputs) || inputs.some((i) => typeof i !== 'string'))
      return [400, error("'model' and 'input' (a string or strings) are required.", 'invalid_request_error')];
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 1536;
    const tokens = inputs.reduce((sum: number, text: string) => sum + Math.ceil(text.length / 4), 0);
    return [
      200,
      {
        object: 'list',
        model: body.model,
        data: inputs.map((text: string, index) => ({
          object: 'embedding',
          index,
          embedding: embedText(text, dimensions),
        })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    ];
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, error('fake failed', 'server_error')));
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    usage,
    respondWith(next) {
      make = next;
    },
    failNext(failure) {
      failures.push({ ...failure, count: failure.count ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
