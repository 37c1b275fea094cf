/**
 * Runs one bridge under test in its own process, so the benchmark can read that process's CPU
 * time and RSS alone: `node bench-host.ts service` (the real media service, built in-process from
 * the environment like `media-service/src/main.ts`) or `node bench-host.ts passthrough` (the
 * baseline bridge). Talks to the benchmark over IPC: `{type:'ready', port}`, then answers each
 * `stats` request with this process's counters.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadEnv } from '#shared/config/env.ts';
import { createSecretStore } from '#shared/config/secrets.ts';
import { createDb } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { createMediaService } from '../../media-service/src/media-service.ts';
import { startPassthroughBridge } from './passthrough-bridge.ts';

export interface HostStats {
  type: 'stats';
  /** process.cpuUsage(), microseconds. */
  userMicros: number;
  systemMicros: number;
  rssBytes: number;
  /** Monotonic clock at sampling, microseconds. */
  atMicros: number;
  /** Event-loop delay since the previous sample (p99 and max, ms): a blocked loop delays every call. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

async function start(mode: string): Promise<{ port: number; close(): Promise<void> }> {
  const env = loadEnv();
  if (mode === 'passthrough') {
    return startPassthroughBridge({
      realtimeUrl: env.OPENAI_REALTIME_URL,
      apiKey: process.env.OPENAI_API_KEY ?? 'bench',
    });
  }
  const service = createMediaService({
    env,
    logger: createLogger({ level: env.LOG_LEVEL, context: { service: 'media-bench' } }),
    db: createDb({ tableName: env.TABLE_NAME, endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION }),
    sqs: createSqsClient({ endpoint: env.SQS_ENDPOINT, region: env.AWS_REGION }),
    queueUrls: queueUrlsFromEnv(),
    secrets: createSecretStore(),
  });
  const port = await service.listen(0, '127.0.0.1');
  return { port, close: () => service.drain(2_000) };
}

const mode = process.argv[2] ?? 'service';
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const host = await start(mode);
const send = (message: unknown) => process.send?.(message);
send({ type: 'ready', port: host.port });
process.on('message', (message: { type?: string }) => {
  if (message?.type !== 'stats') return;
  const cpu = process.cpuUsage();
  const stats: HostStats = {
    type: 'stats',
    userMicros: cpu.user,
    systemMicros: cpu.system,
    rssBytes: process.memoryUsage.rss(),
    atMicros: Number(process.hrtime.bigint() / 1000n),
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
  };
  loopDelay.reset();
  send(stats);
});
// The benchmark closes the IPC channel (or dies): stop at once, nothing to keep.
process.on('disconnect', () => {
  const giveUp = new Promise((resolve) => setTimeout(resolve, 3_000));
  void Promise.race([host.close(), giveUp]).finally(() => process.exit(0));
});
