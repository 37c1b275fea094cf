import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { MediaRoutes } from '../server.ts';
import { runAdmittedCall } from '../session/run-admitted-call.ts';
import type { SessionDeps, StartCallSessionInput } from '../session/session-deps.ts';
import { startCallSession } from '../session/start-call-session.ts';
import { type AriConnection, connectAri, type ReconnectPolicy } from '../asterisk/ari-connection.ts';
import { type AriEvent, isExternalMediaChannel } from '../asterisk/ari-events.ts';
import type { AriRest } from '../asterisk/ari-rest.ts';
import { AsteriskCalls, type AsteriskDeps, OUR_ID_PREFIX } from '../asterisk/asterisk-calls.ts';
import { handleInboundCall } from '../asterisk/inbound-call.ts';
import { PerCallConnection } from './percall-connection.ts';
import { registerPerCallEndpoint } from './percall-endpoint.ts';
import { PerCallDialer, takeAnsweredCall } from './percall-outbound.ts';
import { closedConnectionFallback } from './closed-connection-fallback.ts';
import { createExchangeRest, httpExchange } from './request-rest.ts';
import { createPerCallResume } from './percall-resume.ts';
import { type HandedOverHook, resolveUnclaimed } from './unclaimed-connection.ts';

/**
 * A registered connection is resolved at once (`resolveUnclaimed` tells a re-connection from a
 * new call without waiting for StasisStart); tests may delay it.
 */
const UNCLAIMED_AFTER_MS = 0;
/** A connection that never registers, or a late channel that never enters Stasis, is closed after this. */
const REGISTRATION_TIMEOUT_MS = 10_000;

export interface PerCallTransport {
  readonly calls: AsteriskCalls;
  readonly dialer: PerCallDialer;
  /** Per-call connections open on this task (callers, media channels, unclaimed). */
  readonly connections: number;
  /** Resolves once the dialer's ARI connection is up (inbound calls do not wait for it). */
  readonly ready: Promise<void>;
  originate: PerCallDialer['originate'];
  cancelRinging(callId: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface PerCallTransportOptions {
  routes: MediaRoutes;
  startSession?: (input: StartCallSessionInput) => unknown;
  externalStasisTimeoutMs?: number;
  unclaimedAfterMs?: number;
  /**
   * Call resume: a call whose owner lost its control connection is taken over by the task Asterisk
   * reconnects it to, and a draining task hands its calls over instead of hanging them up.
   * Without it such calls are hung up.
   */
  resume?: boolean;
  reconnect?: ReconnectPolicy;
}

/**
 * Asterisk in per-call mode (`ASTERISK_MODE=per_call`, Asterisk 22.5+/20.15+): Asterisk opens one
 * ARI WebSocket per channel entering `Stasis(<ARI_APP>)` to `/asterisk/ari` on the media port,
 * through the load balancer, so any number of tasks share one PBX. The task that receives a
 * caller's connection owns that call and controls it with REST over the same socket; media goes
 * over chan_websocket (`/media/<id>` on Asterisk's HTTP server), so no RTP ports are needed.
 */
export async function startPerCallTransport(
  deps: SessionDeps,
  options: PerCallTransportOptions,
): Promise<PerCallTransport> {
  const { env } = deps;
  if (!env.ARI_URL || !env.ARI_USERNAME || !env.ASTERISK_PERCALL_USERNAME)
    throw new Error('ARI_URL, ARI_USERNAME and ASTERISK_PERCALL_USERNAME are required for per-call mode');
  const [password, percallPassword] = await Promise.all([
    deps.secrets.require('ARI_PASSWORD'),
    deps.secrets.require('ASTERISK_PERCALL_PASSWORD'),
  ]);
  const logger = deps.logger.child({ component: 'asterisk-percall' });
  const exchange = httpExchange({ ariUrl: env.ARI_URL, username: env.ARI_USERNAME, password });
  const http = createExchangeRest(exchange);
  // A call's requests go over its own connection; once Asterisk closes it (the caller hung up,
  // releases still to do) they continue over ARI HTTP.
  const viaConnection = (connection: PerCallConnection): AriRest =>
    createExchangeRest(closedConnectionFallback(connection.exchange, exchange));
  // This task's own classic app: it follows ringing outbound channels, and warm-transfer consult
  // legs are originated into it so that their events reach this task, the call's owner.
  const dialerApp = `${env.ARI_APP}-dialer-${randomBytes(4).toString('hex')}`;
  const asteriskDeps: AsteriskDeps = {
    session: deps,
    startSession: options.startSession ?? startCallSession,
    rest: http,
    // Outbound calls with answering-machine detection run AMD() here first (percall-outbound.ts).
    amdContext: `${env.ARI_APP}-amd`,
    webSocketMedia: { ariUrl: env.ARI_URL, username: env.ARI_USERNAME, password },
    app: env.ARI_APP,
    rtpHost: env.RTP_HOST,
    endpointTemplate: env.ARI_ENDPOINT_TEMPLATE,
    transferContext: `${env.ARI_APP}-transfer`,
    consultApp: dialerApp,
    logger,
    externalStasisTimeoutMs: options.externalStasisTimeoutMs,
  };
  /** Each live caller's control connection, by caller channel id (hand-over closes it). */
  const controlByCaller = new Map<string, PerCallConnection>();
  if (options.resume) {
    asteriskDeps.control = (callerChannelId) => {
      const connection = controlByCaller.get(callerChannelId);
      if (!connection) return undefined;
      // 1001 "going away": Asterisk re-opens the connection, through the load balancer.
      return { resumable: true, detach: () => connection.close(1001, 'handover') };
    };
  }
  const calls = new AsteriskCalls(asteriskDeps);
  const resume = options.resume
    ? createPerCallResume({
        asterisk: asteriskDeps,
        calls,
        restFor: ({ connection }) => viaConnection(connection),
      })
    : undefined;
  /** The dialer app follows a channel it does not own (a ringing call, a handed-over person). */
  const follow = async (channelId: string) => {
    const answer = await exchange(
      'POST',
      `applications/${encodeURIComponent(dialerApp)}/subscription?eventSource=${encodeURIComponent(`channel:${channelId}`)}`,
    );
    if (answer.statusCode >= 300) throw new Error(`subscription refused (${answer.statusCode})`);
  };
  const dialer = new PerCallDialer(asteriskDeps, http, dialerApp, follow);
  const dialerConnection: AriConnection = connectAri({
    url: env.ARI_URL,
    username: env.ARI_USERNAME,
    password,
    app: dialerApp,
    logger,
    reconnect: options.reconnect,
    // Consult legs (answered, keys, hang-up) and handed-over pairs go to the calls, as they do in
    // the classic mode; the rest are ringing outbound channels. Only transfer channels are routed
    // to the calls: an answered outbound call's events already arrive on its own connection.
    onEvent: (event) => {
      if (!calls.routeTransfer(event)) dialer.onEvent(event);
    },
  });
  options.routes.checks.asterisk = () => dialerConnection.health();

  const onStasisStart = (
    connection: PerCallConnection,
    event: Extract<AriEvent, { type: 'StasisStart' }>,
  ) => {
    const { channel } = event;
    // The media channel's own connection (its owner may be another task): held, left alone.
    if (isExternalMediaChannel(channel) || channel.id.startsWith(`${OUR_ID_PREFIX}media-`)) return;
    const rest = viaConnection(connection);
    const callLogger = logger.child({ channelId: channel.id });
    if (event.args[0] === 'inbound') {
      void runAdmittedCall({
        transport: 'asterisk',
        logger: callLogger,
        admitAndStart: () => handleInboundCall({ ...asteriskDeps, rest }, calls, channel, event.args),
        closeCaller: () => rest.hangup(channel.id, 'failure'),
      });
      return;
    }
    if (event.args[0] === 'outbound') {
      void takeAnsweredCall({ ...asteriskDeps, logger: callLogger }, calls, rest, event).catch((err) =>
        callLogger.error('asterisk outbound set-up failed', { err }),
      );
      return;
    }
    callLogger.warn('asterisk channel entered the app without inbound or outbound arguments');
    void rest.hangup(channel.id, 'rejected').catch(() => undefined);
  };

  const onConnection = (ws: WebSocket) => {
    const connection = new PerCallConnection(ws, { logger });
    let claimedBy: string | undefined;
    const registrationTimer = setTimeout(() => {
      if (!claimedBy) connection.close(1008, 'no_stasis_start');
    }, REGISTRATION_TIMEOUT_MS);
    let unclaimedTimer: NodeJS.Timeout | undefined;
    connection.onRegistered(() => {
      if (connection.registration?.app !== env.ARI_APP) {
        logger.warn('asterisk per-call connection for another app closed', {
          app: connection.registration?.app,
        });
        connection.close(1000, 'unknown_app');
        return;
      }
      unclaimedTimer = setTimeout(() => {
        if (claimedBy) return;
        const takeOver = resume
          ? async (orphan: Parameters<typeof resume>[0]) => {
              const id = orphan.channel.id;
              // The media set-up finds the call's control connection here (hand-over closes it).
              const previous = controlByCaller.get(id);
              controlByCaller.set(id, connection);
              claimedBy = id;
              const outcome = await resume(orphan);
              if (outcome !== 'resumed') {
                if (previous) controlByCaller.set(id, previous);
                else if (controlByCaller.get(id) === connection) controlByCaller.delete(id);
              }
              // Refused: the caller is hung up next. Owner active: held, claimed, left alone.
              if (outcome === 'refused') claimedBy = undefined;
              return outcome;
            }
          : undefined;
        // A caller its task handed over to a person, re-connected here after that task went: this
        // task watches the pair from now on (either hangs up: the other is hung up, the bridge
        // destroyed). The person's leg belongs to the old task's dialer app, so this task's
        // dialer app follows it; already gone, the caller is hung up (which releases the bridge).
        const handedOver: HandedOverHook = async ({ channel, bridge, consultChannelId }) => {
          claimedBy = channel.id;
          calls.superviseHandover({
            bridgeId: bridge.id,
            callerChannelId: channel.id,
            consultChannelId,
          });
          logger.info('asterisk transferred call re-connected: its pair is watched here', {
            channelId: channel.id,
            bridgeId: bridge.id,
          });
          await follow(consultChannelId).catch(async (err: unknown) => {
            logger.info('handed-over person already gone: the caller is hung up', { err });
            await viaConnection(connection)
              .hangup(channel.id, 'normal')
              .catch(() => undefined);
          });
        };
        void resolveUnclaimed(connection, {
          logger,
          resume: takeOver,
          handedOver,
          claimed: () => !!claimedBy,
        }).then(
          (outcome) => {
            if (outcome === 'media_channel') claimedBy = outcome;
          },
          (err) => logger.warn('asterisk unclaimed connection not resolved', { err }),
        );
      }, options.unclaimedAfterMs ?? UNCLAIMED_AFTER_MS);
    });
    connection.onEvent((event) => {
      if (event.type === 'StasisStart' && !claimedBy) {
        claimedBy = event.channel.id;
        controlByCaller.set(event.channel.id, connection);
        clearTimeout(unclaimedTimer);
        clearTimeout(registrationTimer);
        if (calls.route(event)) return;
        onStasisStart(connection, event);
        return;
      }
      calls.route(event);
    });
    connection.onClose(() => {
      clearTimeout(unclaimedTimer);
      clearTimeout(registrationTimer);
      // Only the call's control connection speaks for it (not a duplicate re-connection held here).
      const control = claimedBy !== undefined && controlByCaller.get(claimedBy) === connection;
      if (control) controlByCaller.delete(claimedBy as string);
      // The caller's control connection broke while its call was up: nothing can steer it from
      // here. With resume, Asterisk reconnects it to some task, which takes the call over.
      const live = control ? calls.byCaller.get(claimedBy as string) : undefined;
      if (live && !live.transport.callerHasLeft) {
        live.transport.callerLeft(
          live.transport.resumable ? 'leg_lost' : 'media_error',
          'per-call connection lost',
        );
      }
    });
  };

  const endpoint = registerPerCallEndpoint(options.routes, {
    username: env.ASTERISK_PERCALL_USERNAME,
    password: percallPassword,
    draining: () => deps.registry.snapshot().draining,
    logger,
    onConnection,
    onRefused: (reason) => deps.onCallRefused?.(`percall_${reason}`),
  });

  return {
    calls,
    dialer,
    get connections() {
      return endpoint.connections;
    },
    ready: dialerConnection.ready,
    originate: (command) => dialer.originate(command),
    cancelRinging: (callId) => dialer.cancel(callId),
    async stop() {
      await dialer.cancelAll();
      endpoint.close();
      delete options.routes.checks.asterisk;
      await dialerConnection.stop();
    },
  };
}
