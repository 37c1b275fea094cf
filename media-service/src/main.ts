import { ConfigError, loadEnv } from '#shared/config/env.ts';
import { secrets } from '#shared/config/secrets.ts';
import { createDb } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { createMediaService } from './media-service.ts';
import { telemetrySinkFromEnv } from '#shared/observability/telemetry-sink.ts';
import { type MediaMetrics, startMediaMetrics } from './metrics/media-metrics.ts';
import { callTracing } from './tracing/call-tracing.ts';
import { daemonEmitter, sinkEmitter } from './tracing/segment-emitter.ts';

/** Reads config, listens, and drains on SIGTERM (live calls finish within the grace period). */
async function main(): Promise<void> {
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`media-service: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: env.LOG_LEVEL, context: { service: 'media' } });
  const sqs = createSqsClient({ endpoint: env.SQS_ENDPOINT, region: env.AWS_REGION });
  const queueUrls = queueUrlsFromEnv();
  let metrics: MediaMetrics | undefined;
  const sink = telemetrySinkFromEnv({
    TELEMETRY_FILE: env.TELEMETRY_FILE,
    METRICS_NAMESPACE: env.METRICS_NAMESPACE,
  });
  // Segments: to the local telemetry file, else to the X-Ray daemon where one is configured (the
  // task's sidecar in AWS), else nowhere.
  const tracing = env.TELEMETRY_FILE
    ? callTracing(sinkEmitter(sink))
    : env.AWS_XRAY_DAEMON_ADDRESS
      ? callTracing(
          daemonEmitter(env.AWS_XRAY_DAEMON_ADDRESS, (error) =>
            logger.warn('trace segment not sent', { err: error }),
          ),
        )
      : undefined;
  const service = createMediaService({
    env,
    logger,
    db: createDb({ tableName: env.TABLE_NAME, endpoint: env.DYNAMODB_ENDPOINT, region: env.AWS_REGION }),
    sqs,
    queueUrls,
    secrets: secrets(),
    onCallClosed: (closed) => {
      // A call another task continues is counted once, where it really ends.
      if (!closed.continuesElsewhere) metrics?.callClosed(closed.reason, closed.telemetry);
      tracing?.callClosed(closed);
    },
    onCallRefused: (reason) => metrics?.callRefused(reason),
  });
  if (sink.enabled) {
    metrics = startMediaMetrics({
      stage: env.STAGE,
      sink,
      liveCalls: () => service.registry.snapshot().liveCalls,
    });
  }
  try {
    const port = await service.listen(env.MEDIA_PORT);
    logger.info('media service listening', {
      port,
      maxCalls: env.MEDIA_MAX_CALLS,
      taskId: service.sessionDeps.taskId,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `media-service: port ${env.MEDIA_PORT} is already in use; set MEDIA_PORT to another port.\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  if (
    !(await secrets().get('OPENAI_API_KEY')) &&
    env.OPENAI_REALTIME_URL.startsWith('wss://api.openai.com')
  ) {
    logger.warn('OPENAI_API_KEY is not set: calls fail (model_error) until it is set');
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal, graceSeconds: env.DRAIN_GRACE_SECONDS });
    // The service's own media control (Asterisk transport, media command consumer) keeps
    // running while live calls finish, so `call.end` still reaches them; it stops last.
    await service.drain(env.DRAIN_GRACE_SECONDS * 1000);
    metrics?.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
