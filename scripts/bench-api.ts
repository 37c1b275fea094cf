/**
 * `npm run bench:api`: latency of the REST API against the local stack (DynamoDB Local, the SQS
 * server, the in-process HTTP API gateway and the real handlers) with 10,000 calls seeded.
 * Prints p50/p95/p99 per operation; the goal is p95 < 50 ms on a laptop. Bounded: it stops
 * itself after BENCH_TIMEOUT_SECONDS (default 300) whatever happens.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Call } from '#shared/calls/call-types.ts';
import { emptyUsage } from '#shared/calls/call-types.ts';
import { createAgent } from '#shared/data/agents.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { callIndexAttributes } from '#shared/data/calls.ts';
import { type Db, dbFromEnv } from '#shared/data/client.ts';
import { keys } from '#shared/data/keys.ts';
import { createTenant } from '#shared/data/tenants.ts';
import { newId } from '#shared/ids/ids.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { startControlPlane } from '../infra/local/control-plane.ts';
import { generateLocalSecrets } from '../infra/local/local-secrets.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const WARMUP = 40;
const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 300);
const STATUSES = ['completed', 'completed', 'completed', 'failed', 'no_answer', 'busy'] as const;

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** Writes calls 25 at a time (BatchWriteItem's limit), retrying unprocessed items. */
async function seedCalls(db: Db, tenantId: string, agentId: string, count: number): Promise<string[]> {
  const now = Date.now();
  const calls: Call[] = Array.from({ length: count }, (_, i) => {
    const createdMs = now - (count - i) * 60_000;
    const status = STATUSES[i % STATUSES.length] as Call['status'];
    const at = new Date(createdMs).toISOString();
    return {
      id: newId('call', createdMs),
      tenantId,
      agentId,
      direction: i % 2 === 0 ? 'inbound' : 'outbound',
      provider: 'twilio',
      providerCallId: `CA${i.toString(16).padStart(32, '0')}`,
      from: `+1415555${String(i % 10_000).padStart(4, '0')}`,
      to: '+14155550100',
      status,
      createdAt: at,
      updatedAt: at,
      endedAt: new Date(createdMs + 95_000).toISOString(),
      durationSeconds: 95,
      usage: emptyUsage(),
      metadata: { seq: String(i) },
    };
  });
  const batches: Call[][] = [];
  for (let i = 0; i < calls.length; i += 25) batches.push(calls.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Call[];
      let requests = batch.map((call) => ({
        PutRequest: {
          Item: { ...keys.call(tenantId, call.id), type: 'call', ...call, ...callIndexAttributes(call) },
        },
      }));
      for (let attempt = 0; requests.length > 0 && attempt < 10; attempt++) {
        const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: requests } }));
        requests = (out.UnprocessedItems?.[db.tableName] ?? []) as typeof requests;
      }
      if (requests.length > 0) throw new Error('DynamoDB Local kept items unprocessed');
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return calls.map((call) => call.id);
}

async function measure(name: string, run: (i: number) => Promise<Response>) {
  for (let i = 0; i < WARMUP; i++) await (await run(i)).arrayBuffer();
  const timings: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const res = await run(i);
    await res.arrayBuffer();
    timings.push(performance.now() - started);
    if (res.status >= 400) throw new Error(`${name} answered ${res.status}`);
  }
  timings.sort((a, b) => a - b);
  return {
    operation: name,
    samples: timings.length,
    p50: percentile(timings, 50),
    p95: percentile(timings, 95),
    p99: percentile(timings, 99),
  };
}

async function main(): Promise<void> {
  const secrets = generateLocalSecrets();
  console.log('starting DynamoDB Local, the SQS server and the API gateway…');
  const plane = await startControlPlane({
    rootDir,
    logger: createLogger({ level: 'error' }),
    namePrefix: 'bench',
    startPollers: false,
    env: { ...secrets, LOG_LEVEL: 'error' },
  });
  try {
    const db = dbFromEnv();
    const tenant = await createTenant(db, {
      name: 'Bench tenant',
      limits: { maxConcurrentCalls: 100, requestsPerSecond: 100_000 },
    });
    const { secret } = await createApiKey(db, { tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
    const agent = await createAgent(db, tenant.id, {
      name: 'Bench agent',
      instructions: 'Benchmark agent.',
      voice: 'marin',
      tools: [],
      maxDurationSeconds: 600,
      idleTimeoutSeconds: 30,
    });
    const seedStarted = performance.now();
    const callIds = await seedCalls(db, tenant.id, agent.id, CALLS);
    console.log(
      `seeded ${callIds.length} calls in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const api = plane.apiUrl;
    const rows = [
      await measure('GET /v1/calls/{id}', (i) =>
        fetch(`${api}/v1/calls/${callIds[(i * 7919) % callIds.length]}`, { headers }),
      ),
      await measure('GET /v1/calls?limit=20', () => fetch(`${api}/v1/calls?limit=20`, { headers })),
      await measure('GET /v1/calls?status=completed&limit=20', () =>
        fetch(`${api}/v1/calls?status=completed&limit=20`, { headers }),
      ),
      await measure('POST /v1/agents', (i) =>
        fetch(`${api}/v1/agents`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: `Agent ${i}`, instructions: 'You answer the phone for a bakery.' }),
        }),
      ),
    ];
    console.log(`\nREST API latency, ${CALLS} calls seeded, sequential requests over loopback (ms)\n`);
    console.table(
      rows.map((r) => ({
        operation: r.operation,
        samples: r.samples,
        p50: Number(r.p50.toFixed(1)),
        p95: Number(r.p95.toFixed(1)),
        p99: Number(r.p99.toFixed(1)),
        'p95 < 50 ms': r.p95 < 50 ? 'yes' : 'NO',
      })),
    );
  } finally {
    await plane.stop();
  }
}

const guard = setTimeout(() => {
  console.error(`bench:api did not finish within ${TIMEOUT_SECONDS} s; stopping.`);
  process.exit(2);
}, TIMEOUT_SECONDS * 1000);
guard.unref();

main().then(
  () => process.exit(0),
  (error) => {
    console.error('bench:api failed:', error);
    process.exit(1);
  },
);
