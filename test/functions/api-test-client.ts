import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';

/** Response bodies in tests are whatever JSON the API sent; assertions narrow them. */
// biome-ignore lint/suspicious/noExplicitAny: test-only alias for arbitrary JSON
export type Json = any;

/** Test-only: a tiny HTTP client for the API under test (real HTTP, real gateway). */
export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (for malformed JSON and size tests). */
  rawBody?: string;
  key?: string | null;
  headers?: Record<string, string>;
}

export function apiClient(baseUrl: string, defaultKey?: string) {
  const request = async <T = Json>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> => {
    const key = options.key === undefined ? defaultKey : options.key;
    const headers: Record<string, string> = { ...options.headers };
    if (key) headers.authorization ??= `Bearer ${key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    request,
    get: <T = Json>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
    post: <T = Json>(path: string, body?: unknown, options?: RequestOptions) =>
      request<T>('POST', path, { ...options, body }),
    patch: <T = Json>(path: string, body?: unknown, options?: RequestOptions) =>
      request<T>('PATCH', path, { ...options, body }),
    delete: <T = Json>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Asserts the one error shape: status, code, a message and the request id of the header. */
export function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
}

/** Long-polls a queue until `count` messages arrived (or `waitSeconds` passed), deleting nothing. */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  match: (body: Json) => boolean,
  waitSeconds = 5,
): Promise<Json[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  const found: Json[] = [];
  while (Date.now() < deadline && found.length === 0) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
      }),
    );
    for (const message of out.Messages ?? []) {
      const body = JSON.parse(message.Body ?? '{}');
      if (match(body)) found.push(body);
    }
  }
  return found;
}
