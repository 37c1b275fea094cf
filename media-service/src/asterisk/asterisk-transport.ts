import type { MediaRoutes } from '../server.ts';
import type { SessionDeps, StartCallSessionInput } from '../session/session-deps.ts';
import { runAdmittedCall } from '../session/run-admitted-call.ts';
import { startCallSession } from '../session/start-call-session.ts';
import {
  type AriConnection,
  type AriConnectionState,
  connectAri,
  type ReconnectPolicy,
} from './ari-connection.ts';
import type { AriEvent } from './ari-events.ts';
import { AsteriskCalls, type AsteriskDeps } from './asterisk-calls.ts';
import { handleInboundCall } from './inbound-call.ts';
import { removeLeftovers } from './leftover-cleanup.ts';
import { OutboundCalls } from './outbound-call.ts';
import { RtpPortPool } from './rtp-port-pool.ts';

export interface AsteriskTransport {
  readonly connection: AriConnection;
  readonly calls: AsteriskCalls;
  readonly outbound: OutboundCalls;
  /** The RTP port pool; absent with WebSocket media (`ASTERISK_MEDIA=websocket`). */
  readonly ports?: RtpPortPool;
  /** Resolves once connected and leftovers of a previous run are removed. */
  readonly ready: Promise<void>;
  /** `call.originate` from the media command queue. */
  originate: OutboundCalls['originate'];
  /** `call.end` for a call still ringing (a live call ends through its session). */
  cancelRinging(callId: string): Promise<boolean>;
  stop(): Promise<void>;
}

export interface AsteriskTransportOptions {
  routes: MediaRoutes;
  /** Defaults to the shared CallSession; tests may observe it. */
  startSession?: (input: StartCallSessionInput) => unknown;
  /** How long live calls survive an ARI outage before they are ended as media errors. */
  disconnectGraceMs?: number;
  reconnect?: ReconnectPolicy;
  /** How long media set-up waits for the ExternalMedia StasisStart (5 s unless a test shortens it). */
  externalStasisTimeoutMs?: number;
}

/**
 * Asterisk as a transport of the shared CallSession: connects to ARI (`ARI_URL`, `ARI_USERNAME`,
 * `ARI_PASSWORD`, `ARI_APP`), removes what a previous run left behind, then answers inbound calls
 * (media as RTP, or over chan_websocket with `ASTERISK_MEDIA=websocket`)
 * entering `Stasis(<app>,inbound,${EXTEN})` and originates outbound ones from the media command
 * queue. Cold transfers continue in the dialplan context `<ARI_APP>-transfer`.
 */
export async function startAsteriskTransport(
  deps: SessionDeps,
  options: AsteriskTransportOptions,
): Promise<AsteriskTransport> {
  const { env } = deps;
  if (!env.ARI_URL || !env.ARI_USERNAME)
    throw new Error('ARI_URL and ARI_USERNAME are required for Asterisk');
  const password = await deps.secrets.require('ARI_PASSWORD');
  const logger = deps.logger.child({ component: 'asterisk' });
  let calls: AsteriskCalls | undefined;
  let outbound: OutboundCalls | undefined;
  let started = false;
  const early: AriEvent[] = [];
  let graceTimer: NodeJS.Timeout | undefined;

  const dispatch = (event: AriEvent) => {
    if (!calls || !outbound) return;
    if (calls.route(event)) return;
    if (event.type === 'StasisStart') {
      if (outbound.onStasisStart(event)) return;
      if (event.args[0] === 'inbound') {
        const admitting = calls;
        // handleInboundCall releases its own slot and RTP lease on every failure it sees.
        void runAdmittedCall({
          transport: 'asterisk',
          logger: logger.child({ channelId: event.channel.id }),
          admitAndStart: () => handleInboundCall(asteriskDeps, admitting, event.channel, event.args),
          closeCaller: () => connection.rest.hangup(event.channel.id, 'failure'),
        });
        return;
      }
      // Entered our app without `inbound` arguments: nothing we can serve (dialplan mistake).
      logger.warn('asterisk channel entered the app without inbound arguments', {
        channelId: event.channel.id,
      });
      void connection.rest.hangup(event.channel.id, 'rejected').catch(() => undefined);
      return;
    }
    if (event.type === 'ChannelDestroyed') outbound.onDestroyed(event);
  };

  // Calls that ended during the outage could not release their bridge and channels: do it now.
  const reconcileAfterOutage = async () => {
    await calls?.reconcile();
    await removeLeftovers(connection.rest, logger, (id) => Boolean(calls?.owns(id) || outbound?.owns(id)));
  };

  const onStateChange = (state: AriConnectionState, previous: AriConnectionState) => {
    if (state === 'reconnecting' && previous === 'connected') {
      graceTimer = setTimeout(() => calls?.failAll('ari_disconnected'), options.disconnectGraceMs ?? 15_000);
    }
    if (state === 'connected') {
      clearTimeout(graceTimer);
      if (previous === 'reconnecting' && started) {
        void reconcileAfterOutage().catch((err) => logger.warn('asterisk reconcile failed', { err }));
      }
    }
  };

  const connection = connectAri({
    url: env.ARI_URL,
    username: env.ARI_USERNAME,
    password,
    app: env.ARI_APP,
    logger,
    reconnect: options.reconnect,
    onStateChange,
    onEvent: (event) => {
      if (started) dispatch(event);
      else early.push(event);
    },
  });
  const webSocketMedia = env.ASTERISK_MEDIA === 'websocket';
  const asteriskDeps: AsteriskDeps = {
    session: deps,
    startSession: options.startSession ?? startCallSession,
    rest: connection.rest,
    ports: webSocketMedia
      ? undefined
      : new RtpPortPool({ host: env.RTP_HOST, min: env.RTP_PORT_MIN, max: env.RTP_PORT_MAX }),
    webSocketMedia: webSocketMedia
      ? { ariUrl: env.ARI_URL, username: env.ARI_USERNAME, password }
      : undefined,
    app: env.ARI_APP,
    rtpHost: env.RTP_HOST,
    endpointTemplate: env.ARI_ENDPOINT_TEMPLATE,
    transferContext: `${env.ARI_APP}-transfer`,
    amdContext: `${env.ARI_APP}-amd`,
    logger,
    externalStasisTimeoutMs: options.externalStasisTimeoutMs,
  };
  calls = new AsteriskCalls(asteriskDeps);
  outbound = new OutboundCalls(asteriskDeps, calls);
  options.routes.checks.asterisk = () => connection.health();

  // A call originated while this runs is already ours (its channel id is registered before the
  // dial), so it is kept: commands are not held back until the cleanup is over.
  const ready = connection.ready.then(async () => {
    await removeLeftovers(connection.rest, logger, (id) => Boolean(outbound?.owns(id))).catch((err) =>
      logger.warn('asterisk leftover cleanup failed', { err }),
    );
    started = true;
    for (const event of early.splice(0)) dispatch(event);
  });

  const ringing = outbound;
  return {
    connection,
    calls,
    outbound,
    ports: asteriskDeps.ports,
    ready,
    originate: (command) => ringing.originate(command),
    cancelRinging: (callId) => ringing.cancel(callId),
    async stop() {
      clearTimeout(graceTimer);
      await ringing.cancelAll();
      delete options.routes.checks.asterisk;
      await connection.stop();
    },
  };
}
