/**
 * The exports consumer in a process of its own, for `bench:analytics`: polls the exports queue
 * with the deployed handler (as its Lambda would run it) so the exporter's memory is measured
 * apart from the API, the emulator clients and the benchmark. Over IPC:
 *   → {type:'ready', baselineRssBytes} once the handler is loaded
 *   ← {type:'stop'} → {type:'stopped', peakRssBytes, rssBytes, heapUsedBytes}
 * The peak is the kernel's high-water mark of this process's resident set (VmHWM).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '#shared/logging/logger.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { startQueuePoller } from '../../infra/local/queue-poller.ts';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function peakRssBytes(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : process.memoryUsage().rss;
}

const sqs = createSqsClient({ endpoint: process.env.SQS_ENDPOINT });
const poller = startQueuePoller({
  sqs,
  queueUrl: process.env[QUEUES.exports.urlEnv] as string,
  definition: QUEUES.exports,
  rootDir,
  logger: createLogger({ level: 'error' }),
});
// Load the handler (and the SDKs it bundles) now, so the baseline below includes its code.
await import(join(rootDir, QUEUES.exports.consumer?.handler ?? ''));
process.send?.({ type: 'ready', baselineRssBytes: process.memoryUsage().rss });

process.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  void poller.stop().then(() => {
    sqs.destroy();
    process.send?.({
      type: 'stopped',
      peakRssBytes: peakRssBytes(),
      rssBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
    });
    process.disconnect?.();
  });
});
process.on('disconnect', () => process.exit(0));
