/**
 * `npm run bench:recording`: N concurrent recorded calls through the real CallRecorder (spool on
 * disk, multipart upload to the local S3 emulator, parts and lease in DynamoDB Local). Audio is fed
 * at the caller's pace (20 ms μ-law frames, an agent reply every few seconds). Prints:
 *   - heap per call held by recording (live recorders after GC, minus the baseline; goal < 64 KB)
 *     and the recorder's own peak of audio waiting for the disk;
 *   - CPU per call-second of audio recorded;
 *   - parts uploaded while the calls ran, and upload lag (a call's audio fed → on disk and its
 *     full parts uploaded; hang-up → recording stored);
 *   - seconds a crash can lose: audio fed but neither in an uploaded part nor in a contiguous tail
 *     checkpoint when the calls stop (what the sweeper completes a dead task's upload from), and
 *     the checkpoints (S3 PUTs) per call.
 *
 *   npm run bench:recording -- [--calls 50] [--seconds 30] [--part-kb 5120] [--checkpoint-seconds 30]
 *
 * A small --part-kb shows parts flowing while the calls run and bounds the crash loss, but the
 * emulator, like S3, refuses to complete uploads with parts under 5 MiB (EntityTooSmall): the
 * `stored` line then reads 0/N. Use the default part size for the stored figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { configSource } from '#shared/config/config-source.ts';
import { createAgent } from '#shared/data/agents.ts';
import { createCall, getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createTenant } from '#shared/data/tenants.ts';
import { createS3Client } from '#shared/exports/s3-client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { segmentParts } from '#shared/recordings/recording-segments.ts';
import { sweepPlan } from '#shared/recordings/tail-checkpoints.ts';
import { WAV_HEADER_BYTES } from '#shared/recordings/wav-header.ts';
import {
  CallRecorder,
  DEFAULT_CHECKPOINT_SECONDS,
  MIN_PART_BYTES,
  SETTLE_SAMPLES,
} from '../media-service/src/recording/call-recorder.ts';
import { startControlPlane } from '../infra/local/control-plane.ts';
import { generateLocalSecrets } from '../infra/local/local-secrets.ts';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    'part-kb': { type: 'string', default: String(MIN_PART_BYTES / 1024) },
    'checkpoint-seconds': { type: 'string', default: String(DEFAULT_CHECKPOINT_SECONDS) },
  },
});
const CHECKPOINT_SECONDS = Math.max(1, Number(args['checkpoint-seconds']));
const CALLS = Math.max(1, Number(args.calls));
const SECONDS = Math.max(3, Number(args.seconds));
const PART_BYTES = Math.max(1, Number(args['part-kb'])) * 1024;
const FRAME_MS = 20;
const TICK_MS = 100;
/** Dual channel μ-law: two bytes per sample. */
const BYTES_PER_SECOND = 2 * 8000;
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const print = (line = '') => process.stdout.write(`${line}\n`);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

async function main(): Promise<void> {
  const secrets = generateLocalSecrets();
  const plane = await startControlPlane({
    rootDir,
    logger: createLogger({ level: 'error' }),
    namePrefix: `recbench${Date.now().toString(36)}`,
    startPollers: false,
    env: { ...secrets, LOG_LEVEL: 'error' },
  });
  const spoolDir = await mkdtemp(join(tmpdir(), 'bench-recording-'));
  try {
    const db = dbFromEnv();
    const tenant = await createTenant(db, {
      name: 'Recording benchmark',
      limits: { maxConcurrentCalls: 100_000, requestsPerSecond: 100_000 },
    });
    const agent = await createAgent(db, tenant.id, {
      name: 'Bench agent',
      instructions: 'Bench.',
      voice: 'marin',
      tools: [],
      maxDurationSeconds: 3600,
      idleTimeoutSeconds: 600,
    });
    const callIds: string[] = [];
    for (let i = 0; i < CALLS; i++) {
      const { call } = await createCall(
        db,
        {
          tenantId: tenant.id,
          agentId: agent.id,
          direction: 'inbound',
          provider: 'twilio',
          from: '+14155550100',
          to: '+14155550199',
          status: 'in_progress',
        },
        { maxConcurrentCalls: 100_000 },
      );
      callIds.push(call.id);
    }
    const target = {
      // The control plane hands its settings to this process as its config source, not process.env.
      s3: createS3Client({ endpoint: configSource().S3_ENDPOINT }),
      bucket: configSource().RECORDINGS_BUCKET as string,
    };
    const logger = createLogger({ level: 'error' });
    const readyAt = new Map<string, number>();
    const baseline = heapAfterGc();
    const recorders = callIds.map(
      (callId) =>
        new CallRecorder({
          call: { tenantId: tenant.id, callId, agentId: agent.id },
          channels: 'dual',
          retentionDays: 1,
          format: { type: 'audio/pcmu' },
          target,
          db,
          logger,
          spoolDir,
          partBytes: PART_BYTES,
          checkpointSeconds: CHECKPOINT_SECONDS,
          publish: { sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv() },
          onReady: async () => {
            readyAt.set(callId, performance.now());
          },
        }),
    );
    await Promise.all(recorders.map((r) => r.whenIdle()));

    print(
      `bench:recording — ${CALLS} calls × ${SECONDS} s of dual-channel audio, parts of ${PART_BYTES / 1024} KB, ` +
        `tail checkpoints every ${CHECKPOINT_SECONDS} s`,
    );
    const frame = Buffer.alloc((8000 * FRAME_MS) / 1000, 0x55);
    const reply = Buffer.alloc(8000, 0x42).toString('base64'); // one second of agent audio
    let heapMid = 0;
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
      const due = wallStart + (tick + 1) * TICK_MS;
      for (const [i, recorder] of recorders.entries()) {
        for (let f = 0; f < TICK_MS / FRAME_MS; f++) recorder.callerAudio(frame);
        if ((tick + i) % 50 === 0) recorder.agentAudio(`item_${tick}`, { base64: reply, byteLength: 8000 });
      }
      if (tick === (SECONDS * 1000) / TICK_MS / 2) heapMid = heapAfterGc();
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const fedAt = performance.now();
    const idleLags: number[] = [];
    await Promise.all(
      recorders.map((r) => r.whenIdle().then(() => idleLags.push(performance.now() - fedAt))),
    );
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;

    // What a crash now would keep: the parts and the tail the sweeper would complete each call with.
    const lost: number[] = [];
    let partsUploaded = 0;
    for (const callId of callIds) {
      const call = await getCall(db, tenant.id, callId);
      const segment = call?.recording?.segments?.['0'];
      const parts = segmentParts(segment ?? {});
      partsUploaded += parts.length;
      const checkpoints = Object.values(segment?.checkpoints ?? {}).flatMap((part) => Object.values(part));
      const plan = sweepPlan(parts, checkpoints);
      const kept =
        plan.parts.reduce((sum, part) => sum + part.bytes, 0) + (plan.tail?.bytes ?? 0) - WAV_HEADER_BYTES;
      lost.push(Math.max(0, SECONDS - Math.max(0, kept) / BYTES_PER_SECOND));
    }
    const checkpointsPerCall = recorders.reduce((sum, r) => sum + r.checkpointCount, 0) / CALLS;

    const closeAt = performance.now();
    await Promise.all(recorders.map((r) => r.close()));
    const readyLags = callIds.map((id) => (readyAt.get(id) ?? Number.NaN) - closeAt);
    const peakBuffered = Math.max(...recorders.map((r) => r.peakBufferedBytes));
    const dropped = recorders.reduce((sum, r) => sum + r.droppedBytes, 0);
    const perCallHeap = (heapMid - baseline) / CALLS;
    const stored = readyAt.size;

    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    print(`heap per call (live, after GC):      ${kb(perCallHeap)}  (goal < 64 KB)`);
    print(`peak audio waiting for disk (call):  ${kb(peakBuffered)}; audio dropped: ${dropped} bytes`);
    print(`CPU per call-second:                 ${((cpuMs / (CALLS * SECONDS)) * 1000).toFixed(0)} µs`);
    print(
      `parts uploaded while calls ran:      ${partsUploaded} (${(partsUploaded / CALLS).toFixed(1)} per call)`,
    );
    print(
      `fed → on disk and parts uploaded:    p50 ${ms(quantile(idleLags, 0.5))}, p95 ${ms(quantile(idleLags, 0.95))}`,
    );
    print(
      `hang-up → recording stored:          p50 ${ms(quantile(readyLags, 0.5))}, p95 ${ms(quantile(readyLags, 0.95))} (${stored}/${CALLS} stored)`,
    );
    print(
      `tail checkpoints (S3 PUTs) per call:  ${checkpointsPerCall.toFixed(1)} (one per ${CHECKPOINT_SECONDS} s of audio)`,
    );
    print(
      `a crash now would lose:              max ${Math.max(...lost).toFixed(1)} s, p50 ${quantile(lost, 0.5).toFixed(1)} s of ${SECONDS} s ` +
        `(bound: checkpoint interval ${CHECKPOINT_SECONDS} s + settle ${SETTLE_SAMPLES / 8000} s)`,
    );
    if (stored !== CALLS) process.exitCode = 1;
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
    await plane.stop();
  }
}

await main();
