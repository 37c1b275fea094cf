import type { AddressInfo } from 'node:net';
import { createModelPool, type ModelConnector } from './realtime/model-pool.ts';
import { type MediaDeps, type MediaRoutes, createMediaHttpServer } from './server.ts';
import { createKnowledgeSearch } from './knowledge/knowledge-search.ts';
import type { SessionDeps } from './session/session-deps.ts';
import { createSessionRegistry, type SessionRegistry } from './session/session-registry.ts';
import { registerTwilioStream } from './twilio/twilio-stream-route.ts';
import { registerWebCallRoutes } from './web/web-routes.ts';
import { startMediaControl } from './commands/media-control.ts';
import { createS3Client } from '#shared/exports/s3-client.ts';
import type { RecordingsBucket } from '#shared/recordings/recording-objects.ts';
import { recordingTaps } from './recording/recording-tap.ts';
import { DEFAULT_LEASE_TIMING } from './resume/task-heartbeat.ts';
import { TaskHeartbeat } from './resume/task-heartbeat.ts';
import { newTaskId } from './resume/task-identity.ts';
import { registerCommandRelayRoute } from './fleet/relay-route.ts';
import { announceTask } from './fleet/task-announcement.ts';

/** After ending every call at shutdown, how long calls still setting up get to start and end. */
const SETUP_SETTLE_MS = 5_000;

export interface MediaService {
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stop admitting calls (health turns 503 `draining`), let live calls finish for up to
   * `graceMs`, end the rest politely (reason `shutdown`), store everything, then close.
   */
  drain(graceMs: number): Promise<void>;
  readonly routes: MediaRoutes;
  readonly registry: SessionRegistry;
  /** What every session shares; transports (Asterisk, browser) register with it. */
  readonly sessionDeps: SessionDeps;
}

/** Options beyond MediaDeps, mostly for tests (a model connector, timings). */
export type MediaServiceOptions = MediaDeps &
  Partial<
    Pick<
      SessionDeps,
      | 'reconnectPolicy'
      | 'toolFillerAfterMs'
      | 'goodbyeTimeoutMs'
      | 'onCallClosed'
      | 'onCallRefused'
      | 'audioTaps'
      | 'knowledge'
      | 'leaseTiming'
    >
  > & {
    models?: ModelConnector;
    /**
     * Where recordings go: RECORDINGS_BUCKET on the env's S3 endpoint by default; `partBytes`
     * shrinks the upload's parts for tests.
     */
    recordings?: { target?: RecordingsBucket; partBytes?: number };
    /** This task's id on the calls it owns; a fresh random id by default. */
    taskId?: string;
  };

/**
 * Wires the media service: session registry (capacity `MEDIA_MAX_CALLS`), warm model pool, the
 * HTTP/WebSocket server and the transports' routes. Call sessions are owned by the registry.
 */
export function createMediaService(deps: MediaServiceOptions): MediaService {
  const routes: MediaRoutes = { http: new Map(), upgrade: new Map(), checks: {} };
  const registry = createSessionRegistry(deps.env.MEDIA_MAX_CALLS);
  const models =
    deps.models ??
    createModelPool({
      url: deps.env.OPENAI_REALTIME_URL,
      model: deps.env.OPENAI_REALTIME_MODEL,
      secrets: deps.secrets,
      logger: deps.logger.child({ component: 'model-pool' }),
      size: deps.env.MEDIA_MODEL_POOL_SIZE,
      maxIdleMs: deps.env.MEDIA_MODEL_POOL_MAX_IDLE_SECONDS * 1000,
    });
  const taskId = deps.taskId ?? newTaskId();
  const heartbeat = new TaskHeartbeat({
    db: deps.db,
    logger: deps.logger.child({ component: 'heartbeat' }),
    taskId,
    timing: deps.leaseTiming ?? DEFAULT_LEASE_TIMING,
  });
  const sessionDeps: SessionDeps = {
    env: deps.env,
    logger: deps.logger,
    db: deps.db,
    sqs: deps.sqs,
    queueUrls: deps.queueUrls,
    secrets: deps.secrets,
    registry,
    models,
    reconnectPolicy: deps.reconnectPolicy,
    toolFillerAfterMs: deps.toolFillerAfterMs,
    knowledge: deps.knowledge ?? createKnowledgeSearch({ env: deps.env, db: deps.db, secrets: deps.secrets }),
    goodbyeTimeoutMs: deps.goodbyeTimeoutMs,
    onCallClosed: deps.onCallClosed,
    onCallRefused: deps.onCallRefused,
    taskId,
    heartbeat,
    leaseTiming: deps.leaseTiming,
    audioTaps: [
      recordingTaps({
        env: deps.env,
        db: deps.db,
        sqs: deps.sqs,
        queueUrls: deps.queueUrls,
        target: deps.recordings?.target ?? {
          s3: createS3Client({ endpoint: deps.env.S3_ENDPOINT, region: deps.env.AWS_REGION }),
          bucket: deps.env.RECORDINGS_BUCKET,
        },
        partBytes: deps.recordings?.partBytes,
      }),
      ...(deps.audioTaps ?? []),
    ],
  };
  const twilio = registerTwilioStream(routes, sessionDeps);
  const control = startMediaControl(sessionDeps, routes);
  registerWebCallRoutes(routes, sessionDeps);
  registerCommandRelayRoute(routes, { registry, secrets: deps.secrets, logger: deps.logger });
  const server = createMediaHttpServer(
    deps,
    routes,
    () => registry.snapshot(),
    () => models.snapshot(),
  );
  let drained: Promise<void> | undefined;

  const drain = async (graceMs: number) => {
    registry.startDraining();
    // No new calls will take warm sockets; live calls still get fresh ones if they reconnect.
    models.close();
    deps.logger.info('media service draining', { liveCalls: registry.snapshot().liveCalls, graceMs });
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace_over'>((resolve) => {
      graceTimer = setTimeout(() => resolve('grace_over'), graceMs);
    });
    const outcome = await Promise.race([registry.idle().then(() => 'idle' as const), graceOver]);
    clearTimeout(graceTimer);
    if (outcome === 'grace_over') {
      deps.logger.warn('drain grace over; handing live calls over or ending them', {
        liveCalls: registry.snapshot().liveCalls,
      });
      // Ringing calls first, so none is answered after the live ones were told to end; a call
      // still setting up is ended by the registry as soon as its session starts.
      await control.hangUpRinging();
      // Calls whose provider reconnects them elsewhere continue on another task; the rest end.
      const handedOver = await registry.handOverAll();
      if (handedOver > 0) deps.logger.info('calls handed over to other tasks', { calls: handedOver });
      await registry.endAll('shutdown');
      await Promise.race([
        registry.idle(),
        new Promise((resolve) => setTimeout(resolve, SETUP_SETTLE_MS).unref()),
      ]);
    }
    twilio.close();
    sessionDeps.knowledge?.close();
    await control.stop();
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    // Last: every call was let go or ended above, so no call depends on this task's beat.
    heartbeat.stop();
  };

  return {
    routes,
    registry,
    sessionDeps,
    listen: (port, host = '0.0.0.0') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const bound = (server.address() as AddressInfo).port;
          // Before resolving: a call can only be owned here once this task beats and the others
          // can find it.
          void Promise.all([
            heartbeat.start(),
            announceTask({ env: deps.env, db: deps.db, logger: deps.logger, taskId, port: bound }),
          ]).finally(() => resolve(bound));
        });
      }),
    drain(graceMs) {
      drained ??= drain(graceMs);
      return drained;
    },
  };
}
