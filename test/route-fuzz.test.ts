import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeSignatureHeader } from '#shared/billing/stripe-signature.ts';
import { ROUTES } from '#shared/http/route-table.ts';
import type { RouteDefinition } from '#shared/http/route-types.ts';
import { twilioSignature } from '#shared/twilio/signature.ts';
import { createTestTenant, startTestPlatform, type TestPlatform, type TestTenant } from './platform.ts';

/**
 * A seeded fuzz run over every route of the route table, over real HTTP: hostile ids, queries and
 * bodies (wrong types, keys such as `__proto__` and `constructor`, deep nesting, broken UTF-8 and
 * percent-encodings, oversized bodies). Whatever comes in, nothing may answer 5xx. The seed makes
 * a failure reproducible: FUZZ_SEED=<n> replays it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 22);
const CASES_PER_ROUTE = 16;
const PARALLEL = 8;

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = [
  'name',
  'instructions',
  'voice',
  'tools',
  'agentId',
  'metadata',
  'number',
  'provider',
  'to',
  'from',
  'limits',
  'scopes',
  'requestsPerSecond',
  'summarySchema',
  'text',
  'reason',
  'priority',
  'webhookUrl',
  'stripeCustomerId',
  'expiresInSeconds',
  'greeting',
  'maxDurationSeconds',
  'parameters',
  'type',
  'id',
  'data',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
];

const deepJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** JSON texts of hostile values. */
const VALUES = [
  'null',
  'true',
  '0',
  '-0',
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740993',
  '"x"',
  '""',
  '[]',
  '{}',
  '"\\ud800"',
  '"\\u0000"',
  '"💥🦄"',
  '"\\uffff"',
  `"${'a'.repeat(5000)}"`,
  '{"__proto__":{"x":1}}',
  '{"constructor":{"name":"String"}}',
  '{"constructor":"y"}',
  '[{"__proto__":null}]',
  deepJson(40),
  deepArray(60),
  '{"type":"object","properties":{"constructor":{"type":"string"}}}',
  '[{"type":"http","name":"t","description":"d","url":"http://169.254.169.254/","parameters":{"__proto__":{}}}]',
  '{"maxConcurrentCalls":1e400,"requestsPerSecond":-1}',
  '"+14155550100"',
  '"agt_00000000000000000000000000"',
];

const IDS = [
  '%E0%A4%A',
  '%',
  '%FF',
  '%C0%AF',
  '..%2F..',
  '__proto__',
  'constructor',
  'x'.repeat(3000),
  '%F0%9F%92%A9',
  'agt_',
];
const QUERIES = [
  '',
  '?limit=__proto__',
  '?cursor=%E0%A4%A',
  '?limit=1e999&limit=2',
  '?__proto__[x]=1',
  '?since=%00',
  '?month=9999-99',
];

interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function hostileBody(random: () => number): { text: Buffer; type: string } {
  const kind = random();
  if (kind < 0.08)
    return {
      text: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0xff, 0xfe, 0x7d]),
      type: 'application/json',
    };
  if (kind < 0.14)
    return { text: Buffer.from(`{"name":"${'x'.repeat(70 * 1024)}"}`), type: 'application/json' };
  if (kind < 0.18) return { text: Buffer.from(deepJson(5000)), type: 'application/json' };
  if (kind < 0.22)
    return { text: Buffer.from('name=%E0%A4%A&to=%'), type: 'application/x-www-form-urlencoded' };
  if (kind < 0.26) return { text: Buffer.from(pick(random, VALUES)), type: 'application/json' };
  if (kind < 0.3) return { text: Buffer.from('{"name":'), type: 'text/plain' };
  const fields: string[] = [];
  const count = 1 + Math.floor(random() * 5);
  for (let i = 0; i < count; i++)
    fields.push(`${JSON.stringify(pick(random, FIELDS))}:${pick(random, VALUES)}`);
  return { text: Buffer.from(`{${fields.join(',')}}`), type: 'application/json' };
}

function fuzzRequest(random: () => number, route: RouteDefinition, key: string): Fuzzed {
  const path = route.path.replace(/\{\w+\}/g, () => pick(random, IDS)) + pick(random, QUERIES);
  const headers: Record<string, string> = {};
  if (route.auth === 'apiKey' || route.auth === 'admin') headers.authorization = `Bearer ${key}`;
  if (route.method === 'GET' || route.method === 'DELETE') return { method: route.method, path, headers };
  const { text, type } = hostileBody(random);
  headers['content-type'] = type;
  return { method: route.method, path, headers, body: text };
}

function send(baseUrl: string, fuzzed: Fuzzed): Promise<{ status: number; body: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: fuzzed.path,
        method: fuzzed.method,
        headers: fuzzed.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(fuzzed.body);
  });
}

let platform: TestPlatform;
let tenant: TestTenant;
beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant({ maxConcurrentCalls: 50, requestsPerSecond: 10_000 });
});
afterAll(async () => {
  await platform?.stop();
});

/** Signs a fuzzed provider webhook validly, so the handler's parsing is exercised, not just the check. */
function signed(route: RouteDefinition, fuzzed: Fuzzed): Fuzzed {
  const body = fuzzed.body ?? Buffer.alloc(0);
  if (route.path === '/webhooks/stripe') {
    const header = stripeSignatureHeader(
      body.toString('utf8'),
      platform.secrets.STRIPE_WEBHOOK_SECRET,
      Math.floor(Date.now() / 1000),
    );
    return { ...fuzzed, headers: { ...fuzzed.headers, 'stripe-signature': header } };
  }
  if (route.path.startsWith('/webhooks/twilio/')) {
    const form = new URLSearchParams(body.toString('utf8'));
    const url = `${platform.env.PUBLIC_API_URL}${fuzzed.path}`;
    const header = twilioSignature(platform.secrets.TWILIO_AUTH_TOKEN, url, form);
    return {
      ...fuzzed,
      headers: {
        ...fuzzed.headers,
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': header,
      },
    };
  }
  return fuzzed;
}

describe(`fuzzing every route (seed ${SEED})`, () => {
  it('answers every hostile request below 500, with the error shape on API routes', async () => {
    const random = prng(SEED);
    const jobs: { route: RouteDefinition; fuzzed: Fuzzed }[] = [];
    for (const route of ROUTES) {
      const key = route.auth === 'admin' ? platform.secrets.ADMIN_API_KEY : tenant.apiKey;
      for (let i = 0; i < CASES_PER_ROUTE; i++) {
        const fuzzed = fuzzRequest(random, route, key);
        jobs.push({
          route,
          fuzzed: route.auth === 'signature' && random() < 0.7 ? signed(route, fuzzed) : fuzzed,
        });
      }
    }
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const { route, fuzzed } = jobs[next++] as { route: RouteDefinition; fuzzed: Fuzzed };
        const res = await send(platform.apiUrl, fuzzed);
        if (res.status >= 500) {
          failures.push(
            `${fuzzed.method} ${fuzzed.path.slice(0, 120)} → ${res.status} ${res.body.slice(0, 160)} (body ${fuzzed.body?.toString('utf8').slice(0, 160)})`,
          );
        } else if (res.status >= 400 && route.path.startsWith('/v1/')) {
          expect(JSON.parse(res.body), res.body.slice(0, 200)).toMatchObject({
            error: { code: expect.any(String) },
          });
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(jobs.length).toBeGreaterThan(ROUTES.length * 10);
    expect(failures).toEqual([]);
  });
});
