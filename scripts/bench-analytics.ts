/**
 * `npm run bench:analytics`: seeds BENCH_CALLS (default 100,000) finished calls over 90 days
 * across 20 agents into the local stack, builds their analytics counters with the same code the
 * backfill uses (`rebuildDay`/`rebuildMonth`, which functions/api/analytics.test.ts proves equal
 * to the live event path), then reports p50/p95/p99 over HTTP for summary, daily timeseries,
 * agents and qa, the DynamoDB requests each made, Scan operations seen, and a full export's
 * rows/s and the exporter's peak RSS. Each endpoint is measured cold (ANALYTICS_CACHE_SECONDS=0:
 * every request reads DynamoDB) and warm (the 5-minute cache of settled periods). The export runs
 * in a process of its own (scripts/lib/export-worker.ts), so its peak RSS is the exporter's.
 * Targets: p95 < 100 ms, ≤ 3 analytics requests, 0 Scans, exporter RSS < 256 MB.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { rebuildDay, rebuildMonth } from '#shared/analytics/rebuild-counters.ts';
import { clearAnalyticsCache } from '#shared/analytics/analytics-cache.ts';
import { monthsOf } from '#shared/analytics/run-backfill.ts';
import { addDays, daysBetween } from '#shared/analytics/time-zones.ts';
import { periodOf } from '#shared/billing/usage-counters.ts';
import { usageRecordKey } from '#shared/billing/usage-store.ts';
import { type Call, emptyUsage } from '#shared/calls/call-types.ts';
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

const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const AGENTS = 20;
const DAYS = 90;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;

const pct = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

async function batchPut(db: Db, items: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length) {
      const out = await db.doc.send(
        new BatchWriteCommand({ RequestItems: { [db.tableName]: pending as never } }),
      );
      pending = (out.UnprocessedItems?.[db.tableName] as Record<string, unknown>[] | undefined) ?? [];
    }
  }
}

/** A deterministic pseudo-random stream, so runs are comparable. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

async function seed(db: Db, tenantId: string, agentIds: string[], firstDay: string) {
  const rnd = random(42);
  const start = Date.parse(`${firstDay}T00:00:00Z`);
  const span = DAYS * 86_400_000;
  const writers: Promise<void>[] = [];
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    const items = batch;
    batch = [];
    writers.push(batchPut(db, items));
    if (writers.length >= 8) await Promise.all(writers.splice(0));
  };
  for (let i = 0; i < CALLS; i += 1) {
    const createdMs = start + Math.floor((i / CALLS) * span);
    const createdAt = new Date(createdMs).toISOString();
    const answered = rnd() < 0.85;
    const seconds = answered ? Math.round(20 + rnd() * 280) : 0;
    const agentId = agentIds[i % AGENTS] as string;
    const call: Call = {
      id: newId('call', createdMs),
      tenantId,
      agentId,
      direction: i % 3 === 0 ? 'outbound' : 'inbound',
      provider: i % 2 === 0 ? 'twilio' : 'web',
      from: '+14155550100',
      to: '+14155550199',
      status: answered ? 'completed' : 'no_answer',
      createdAt,
      updatedAt: createdAt,
      answeredAt: answered ? new Date(createdMs + 3000).toISOString() : undefined,
      endedAt: new Date(createdMs + 3000 + seconds * 1000).toISOString(),
      durationSeconds: seconds,
      endReason: answered ? (rnd() < 0.05 ? 'transferred' : 'caller_hangup') : 'no_answer',
      usage: { ...emptyUsage(), responses: 4 },
      telemetry: answered
        ? {
            firstAgentAudioMs: Math.round(300 + rnd() * rnd() * 2000),
            responseLatenciesMs: [1, 2, 3].map(() => Math.round(400 + rnd() * 900)),
            bargeInStopMs: rnd() < 0.3 ? [Math.round(80 + rnd() * 300)] : [],
            toolCalls: rnd() < 0.4 ? { book_appointment: 1 } : {},
          }
        : undefined,
      summary: answered
        ? {
            summary: 'The caller booked an appointment.',
            sentiment: SENTIMENTS[i % 4] as (typeof SENTIMENTS)[number],
            actionItems: [],
            qaScore: Math.round(40 + rnd() * 60),
            qaReasons: ['Confirmed the booking.'],
          }
        : undefined,
      metadata: {},
    };
    const billable = Math.ceil(seconds / 6) * 6;
    batch.push({ ...keys.call(tenantId, call.id), type: 'call', ...call, ...callIndexAttributes(call) });
    batch.push({
      ...usageRecordKey(tenantId, periodOf(createdAt).month, call.id),
      type: 'usage',
      metered: true,
      callId: call.id,
      tenantId,
      agentId,
      connectedSeconds: seconds,
      billableSeconds: billable,
      chargeMicros: billable * 1_500,
      summaryInputTokens: answered ? 800 : 0,
    });
    if (batch.length >= 200) await flush();
  }
  await flush();
  await Promise.all(writers);
}

interface Counted {
  requests: Record<string, number>;
  scans: number;
}

/** Counts DynamoDB commands the in-process handlers send, per command name. */
function countCommands(db: Db): Counted {
  const counted: Counted = { requests: {}, scans: 0 };
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counted.requests[name] = (counted.requests[name] ?? 0) + 1;
      if (name.startsWith('Scan')) counted.scans += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCounter' },
  );
  return counted;
}

async function main() {
  const started = Date.now();
  const plane = await startControlPlane({
    rootDir,
    logger: createLogger({ level: 'error' }),
    namePrefix: `bench${Date.now().toString(36)}`,
    // The exports consumer runs in its own process below; nothing else here needs a poller.
    startPollers: false,
    env: { ...generateLocalSecrets(), LOG_LEVEL: 'error' },
  });
  try {
    const db = dbFromEnv();
    const tenant = await createTenant(db, {
      name: 'Bench',
      limits: { maxConcurrentCalls: 100, requestsPerSecond: 10_000 },
    });
    const { secret } = await createApiKey(db, { tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
    const agentIds: string[] = [];
    for (let a = 0; a < AGENTS; a += 1) {
      const agent = await createAgent(db, tenant.id, {
        name: `Agent ${a}`,
        instructions: 'Bench agent.',
        voice: 'marin',
        tools: [],
        maxDurationSeconds: 600,
        idleTimeoutSeconds: 30,
      });
      agentIds.push(agent.id);
    }
    const lastDay = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const firstDay = addDays(lastDay, -(DAYS - 1));
    await seed(db, tenant.id, agentIds, firstDay);
    const seeded = Date.now();
    console.log(
      `seeded ${CALLS} calls (+ usage records) over ${DAYS} days, ${AGENTS} agents in ${((seeded - started) / 1000).toFixed(1)} s`,
    );
    const days = daysBetween(firstDay, lastDay);
    for (let i = 0; i < days.length; i += 4) {
      await Promise.all(
        days
          .slice(i, i + 4)
          .map((day) => rebuildDay(db, tenant.id, day, { timeZone: 'UTC', concurrency: 16 })),
      );
    }
    for (const month of monthsOf(firstDay, lastDay)) await rebuildMonth(db, tenant.id, month);
    console.log(`counters built in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const counted = countCommands(db);
    const range = `from=${firstDay}&to=${lastDay}`;
    const endpoints: [string, string][] = [
      ['summary (90 days)', `/v1/analytics/summary?${range}`],
      ['timeseries (daily, 90 points)', `/v1/analytics/timeseries?metric=calls&granularity=day&${range}`],
      [
        'timeseries latency_p90 (weekly)',
        `/v1/analytics/timeseries?metric=latency_p90&granularity=week&${range}`,
      ],
      ['agents (20 rows)', `/v1/analytics/agents?${range}&sort=qaAverage`],
      ['qa (lowest 20)', `/v1/analytics/qa?${range}`],
    ];
    const measure = async (label: string, path: string) => {
      const times: number[] = [];
      let queries = 0;
      let total = 0;
      for (let i = 0; i < SAMPLES + 5; i += 1) {
        const before = { ...counted.requests };
        const t0 = performance.now();
        const res = await fetch(`${plane.apiUrl}${path}`, { headers: { authorization: `Bearer ${secret}` } });
        await res.arrayBuffer();
        const elapsed = performance.now() - t0;
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        if (i < 5) continue;
        times.push(elapsed);
        const delta = Object.entries(counted.requests).map(([k, v]) => [k, v - (before[k] ?? 0)] as const);
        queries += delta.filter(([k]) => k === 'QueryCommand').reduce((a, [, v]) => a + v, 0);
        total += delta.reduce((a, [, v]) => a + v, 0);
      }
      times.sort((a, b) => a - b);
      console.log(
        `${label.padEnd(38)} ${pct(times, 0.5).toFixed(1).padStart(7)} ${pct(times, 0.95).toFixed(1).padStart(7)} ${pct(times, 0.99).toFixed(1).padStart(7)}  ${(queries / SAMPLES).toFixed(1)} + ${((total - queries) / SAMPLES).toFixed(1)}`,
      );
    };
    const setCacheSeconds = (seconds: number) => {
      plane.reconfigure({ ANALYTICS_CACHE_SECONDS: String(seconds) });
      clearAnalyticsCache();
    };
    for (const [mode, seconds] of [
      ['cold', 0],
      ['warm', 300],
    ] as const) {
      setCacheSeconds(seconds);
      console.log(
        `\n${mode === 'cold' ? 'cold: every request reads DynamoDB' : 'warm: settled periods from the 5-minute cache'}\nendpoint                                p50 ms  p95 ms  p99 ms  DynamoDB/call (analytics Queries + auth)`,
      );
      for (const [label, path] of endpoints) await measure(label, path);
    }

    // Export of every call, by the exports consumer in its own process (its RSS is the figure).
    const worker = fork(join(rootDir, 'scripts/lib/export-worker.ts'), [], {
      env: { ...process.env, ...plane.env },
      execArgv: ['--disable-warning=ExperimentalWarning'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [ready] = (await once(worker, 'message')) as [{ baselineRssBytes: number }];
    const t0 = Date.now();
    const created = await fetch(`${plane.apiUrl}/v1/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'calls', format: 'csv', from: firstDay, to: lastDay }),
    }).then((r) => r.json());
    const id = created.export.id;
    let last = '';
    let done: { rowsWritten: number; url: string } | undefined;
    while (!done) {
      await new Promise((r) => setTimeout(r, 1000));
      const shown = await fetch(`${plane.apiUrl}/v1/exports/${id}`, {
        headers: { authorization: `Bearer ${secret}` },
      }).then((r) => r.json());
      const e = shown.export;
      const line = `export ${e.status}: ${e.rowsWritten} rows, ${e.percent}%, eta ${e.etaSeconds ?? '?'} s`;
      if (line !== last && (e.percent % 10 === 0 || e.status !== 'running')) console.log(line);
      last = line;
      if (e.status === 'failed') throw new Error(`export failed: ${e.error}`);
      if (e.status === 'completed') done = e;
    }
    const seconds = (Date.now() - t0) / 1000;
    const stopped = once(worker, 'message') as Promise<[{ peakRssBytes: number; heapUsedBytes: number }]>;
    worker.send({ type: 'stop' });
    const [memory] = await stopped;
    const size = (await (await fetch(done.url)).arrayBuffer()).byteLength;
    console.log(
      `export: ${done.rowsWritten} rows, ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s = ${Math.round(done.rowsWritten / seconds)} rows/s; exporter process peak RSS ${(memory.peakRssBytes / 2 ** 20).toFixed(0)} MiB (target < 256 MB), heap at the end ${(memory.heapUsedBytes / 2 ** 20).toFixed(0)} MiB, RSS before the export (handler loaded) ${(ready.baselineRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `Scan operations during the analytics requests (the export paths are checked by test/analytics-no-scan.test.ts): ${counted.scans}`,
    );
  } finally {
    await plane.stop();
  }
}

const timer = setTimeout(
  () => {
    console.error('bench:analytics timed out');
    process.exit(1);
  },
  Number(process.env.BENCH_TIMEOUT_SECONDS ?? 3600) * 1000,
);
timer.unref();
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
