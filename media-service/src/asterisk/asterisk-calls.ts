import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { MachineVerdict } from '#shared/voicemail/answered-by.ts';
import type { ResumeState } from '../resume/resume-admission.ts';
import type { SessionDeps, StartCallSessionInput } from '../session/session-deps.ts';
import type { SessionSlot } from '../session/session-registry.ts';
import type { AriChannel, AriEvent } from './ari-events.ts';
import { isExternalMediaChannel } from './ari-events.ts';
import type { AriRest } from './ari-rest.ts';
import { AsteriskCallTransport } from './asterisk-call-transport.ts';
import type { ConsultChannelHandler, ConsultRouting } from './asterisk-warm-transfer.ts';
import type { RtpPortLease, RtpPortPool } from './rtp-port-pool.ts';
import { TransferChannels } from './transfer-channels.ts';
import { WebSocketMediaLeg } from './websocket-media/websocket-media-leg.ts';

/** The caller hung up (or media broke) while bridge and ExternalMedia were being set up. */
export class CallEndedDuringSetupError extends Error {
  constructor() {
    super('The call ended while its media was being set up.');
    this.name = 'CallEndedDuringSetupError';
  }
}

/** Asterisk raises the ExternalMedia StasisStart within milliseconds; far longer means it never will. */
const EXTERNAL_STASIS_TIMEOUT_MS = 5_000;
/** Between addChannel attempts while a chan_websocket channel is not in Stasis yet (422). */
const ADD_CHANNEL_RETRY_MS = 50;

/** Every id we create on Asterisk starts with this, so start-up cleanup can find our leftovers. */
export const OUR_ID_PREFIX = 'ai-caller-';

export const tagsFor = (callId: string) => ({
  bridgeId: `${OUR_ID_PREFIX}bridge-${callId}`,
  bridgeName: `${OUR_ID_PREFIX}${callId}`,
  externalChannelId: `${OUR_ID_PREFIX}media-${callId}`,
  outboundChannelId: `${OUR_ID_PREFIX}out-${callId}`,
  holdBridgeId: `${OUR_ID_PREFIX}hold-${callId}`,
  consultChannelPrefix: `${OUR_ID_PREFIX}consult-${callId}-`,
});

export interface AsteriskDeps {
  session: SessionDeps;
  /** Starts the one CallSession of a call on a transport (A1's `startCallSession`). */
  startSession(input: StartCallSessionInput): unknown;
  rest: AriRest;
  /** RTP media; absent when media goes over chan_websocket (`webSocketMedia`). */
  ports?: RtpPortPool;
  /** Asterisk's HTTP server and ARI credentials for `/media/<id>` sockets (chan_websocket media). */
  webSocketMedia?: { ariUrl: string; username: string; password: string };
  app: string;
  /** Host Asterisk sends RTP to (this task's address as Asterisk sees it). */
  rtpHost: string;
  endpointTemplate: string;
  transferContext: string;
  /**
   * The app warm-transfer consult legs are originated into (`app` when absent). Per-call mode sets
   * the task's own classic dialer app: a consult leg originated into the per-call app would open
   * its own per-call connection, which may land on any task, so only this app brings its events
   * (answered, keys, hang-up) to the task that owns the call.
   */
  consultApp?: string;
  /** Dialplan context that runs AMD() on answered outbound calls, then `Stasis()` (`<app>-amd`). */
  amdContext: string;
  logger: Logger;
  /** How long set-up waits for the ExternalMedia channel's StasisStart; tests shorten it. */
  externalStasisTimeoutMs?: number;
  /** Per-call mode with resume: how a caller's control connection is let go (see the transport). */
  control?: (callerChannelId: string) => { resumable: boolean; detach(): void } | undefined;
}

/** A call whose media is being set up or running on this task. */
export interface LiveAsteriskCall {
  transport: AsteriskCallTransport;
  /** Resolved when the ExternalMedia channel has entered our app (then it can join the bridge). */
  externalInStasis: () => void;
}

/** Hooks for events about channels that are not (yet) live calls: pending originates. */
export interface ChannelEventHooks {
  onStasisStart(event: Extract<AriEvent, { type: 'StasisStart' }>): boolean;
  onDestroyed(event: Extract<AriEvent, { type: 'ChannelDestroyed' }>): boolean;
}

/**
 * The live Asterisk calls of this media service, by caller channel and by ExternalMedia channel
 * (owned by one `startAsteriskTransport`, never module-level). Routes ARI events to them and sets
 * up the media of an admitted call: bridge, ExternalMedia, RTP, then the shared CallSession.
 */
export class AsteriskCalls implements ConsultRouting {
  readonly #deps: AsteriskDeps;
  readonly byCaller = new Map<string, LiveAsteriskCall>();
  readonly byExternal = new Map<string, LiveAsteriskCall>();
  readonly byCallId = new Map<string, LiveAsteriskCall>();
  /** Warm-transfer channels (consult legs, handed-over pairs): their events go there first. */
  readonly #transfers: TransferChannels;

  constructor(deps: AsteriskDeps) {
    this.#deps = deps;
    this.#transfers = new TransferChannels(deps);
  }

  expectConsult(channelId: string, handler: ConsultChannelHandler): void {
    this.#transfers.expectConsult(channelId, handler);
  }

  forgetConsult(channelId: string): void {
    this.#transfers.forgetConsult(channelId);
  }

  superviseHandover(pair: { bridgeId: string; callerChannelId: string; consultChannelId: string }): void {
    this.#transfers.superviseHandover(pair);
  }

  /**
   * Routes only the events of warm-transfer channels; true when the event was one of them. For
   * an events source that also carries other channels' events (per-call mode's dialer app, which
   * follows ringing outbound calls too).
   */
  routeTransfer(event: AriEvent): boolean {
    return this.#transfers.route(event);
  }

  get size(): number {
    return this.byCallId.size;
  }

  /** Routes one event; returns false when it concerns no live call (for the next handler). */
  route(event: AriEvent): boolean {
    if (event.type === 'other') return true;
    if (this.#transfers.route(event)) return true;
    const { channel } = event;
    const external = this.byExternal.get(channel.id);
    if (external) {
      if (event.type === 'StasisStart') external.externalInStasis();
      else if (event.type === 'ChannelDestroyed' && !external.transport.isClosed) {
        external.transport.callerLeft('media_error', 'external media channel destroyed');
      }
      return true;
    }
    // An ExternalMedia channel that is not ours (another app instance, a leftover): never a caller.
    if (event.type === 'StasisStart' && isExternalMediaChannel(channel)) return true;
    const live = this.byCaller.get(channel.id);
    if (!live) return false;
    switch (event.type) {
      case 'ChannelDtmfReceived':
        live.transport.dtmf(event.digit);
        break;
      case 'StasisEnd':
      case 'ChannelHangupRequest':
      case 'ChannelDestroyed':
        live.transport.callerLeft('caller_hangup', event.type);
        break;
      default:
        break;
    }
    return true;
  }

  /**
   * Bridges an admitted call's caller channel with a new ExternalMedia channel on `lease` and
   * starts the session. `answer` is false for originated calls (already answered). On failure
   * everything is released and the error is rethrown for the caller to end the call record.
   */
  async connect(input: {
    call: Call;
    agent: Agent;
    caller: AriChannel;
    /** The call's RTP port; absent for chan_websocket media. */
    lease?: RtpPortLease;
    slot: SessionSlot;
    answer: boolean;
    /** The call's own control channel (a per-call ARI WebSocket); the task's ARI otherwise. */
    rest?: AriRest;
    /** The dialplan's AMD() verdict, for outbound calls with detection. */
    machineVerdict?: MachineVerdict;
    /**
     * A call taken over from a task that lost it: the caller already sits in the call's bridge,
     * the session restores the conversation, and the media channel gets `externalChannelId`
     * (one per owner, so the old owner's late release cannot hang up the new one).
     */
    resume?: { state: ResumeState; externalChannelId: string };
  }): Promise<AsteriskCallTransport> {
    const { logger } = this.#deps;
    const rest = input.rest ?? this.#deps.rest;
    const { call, caller, lease } = input;
    const tags = tagsFor(call.id);
    const transport = new AsteriskCallTransport({
      ids: {
        callId: call.id,
        callerChannelId: caller.id,
        bridgeId: tags.bridgeId,
        externalChannelId: input.resume?.externalChannelId ?? tags.externalChannelId,
      },
      lease,
      rest,
      control: this.#deps.control?.(caller.id),
      logger,
      transferContext: this.#deps.transferContext,
      warm: {
        app: this.#deps.consultApp ?? this.#deps.app,
        endpointTemplate: this.#deps.endpointTemplate,
        routing: this,
        holdBridgeId: tags.holdBridgeId,
        consultChannelPrefix: tags.consultChannelPrefix,
      },
    });
    let markExternalInStasis: () => void = () => undefined;
    const externalInStasis = new Promise<void>((resolve) => {
      markExternalInStasis = resolve;
    });
    const live: LiveAsteriskCall = { transport, externalInStasis: () => markExternalInStasis() };
    // Registered before any REST call: the ExternalMedia StasisStart can arrive before its REST answer.
    this.byCaller.set(caller.id, live);
    this.byExternal.set(transport.ids.externalChannelId, live);
    this.byCallId.set(call.id, live);
    try {
      if (input.resume) {
        // Still bridged from its previous task: only a new media channel joins.
        await this.#connectWebSocketMedia(transport, rest, externalInStasis);
      } else {
        await this.#connectNew(input, transport, rest, externalInStasis);
      }
    } catch (error) {
      transport.close('media_error');
      this.#forget(call.id);
      throw error;
    }
    try {
      const started = this.#deps.startSession({
        call,
        agent: input.agent,
        transport,
        slot: input.slot,
        deps: this.#deps.session,
        machineVerdict: input.machineVerdict,
        resume: input.resume?.state,
      });
      if (started instanceof Promise) {
        started.catch((err: unknown) => {
          logger.error('asterisk call session failed', { callId: call.id, err });
          transport.close('media_error');
        });
      }
    } catch (error) {
      transport.close('media_error');
      this.#forget(call.id);
      throw error;
    }
    void transport.whenClosed.then(() => this.#forget(call.id));
    return transport;
  }

  /** A new call: answered if asked, a bridge created with the caller, then its media channel. */
  async #connectNew(
    input: { caller: AriChannel; lease?: RtpPortLease; answer: boolean },
    transport: AsteriskCallTransport,
    rest: AriRest,
    externalInStasis: Promise<void>,
  ): Promise<void> {
    const { caller, lease } = input;
    const { bridgeId, externalChannelId, callId } = transport.ids;
    if (input.answer) {
      // Gone already: the caller hung up while the call was being admitted.
      await rest.answer(caller.id).catch((error: unknown) => {
        throw (error as { kind?: string }).kind === 'not_found' ? new CallEndedDuringSetupError() : error;
      });
    }
    await rest.createBridge({ bridgeId, name: tagsFor(callId).bridgeName });
    await rest.addChannels(bridgeId, [caller.id]);
    if (!lease) {
      await this.#connectWebSocketMedia(transport, rest, externalInStasis);
      return;
    }
    const external = await rest.externalMedia({
      app: this.#deps.app,
      externalHost: `${this.#deps.rtpHost}:${lease.port}`,
      format: 'ulaw',
      channelId: externalChannelId,
    });
    transport.connectMedia({ address: external.rtpAddress, port: external.rtpPort });
    // Added on its own StasisStart: addChannel before it answers 422 "Channel not in Stasis application".
    const outcome = await this.#untilEnded(transport, externalInStasis);
    if (outcome === 'timeout') throw new Error('ExternalMedia channel never entered the app');
    await rest.addChannels(bridgeId, [externalChannelId]);
  }

  /**
   * chan_websocket media: the channel enters Stasis only once we are connected to its `/media/<id>`
   * socket, and its StasisStart may reach another task (per-call connections), so it joins the
   * bridge by retrying addChannel while Asterisk answers 422, waking early on a StasisStart seen here.
   */
  async #connectWebSocketMedia(
    transport: AsteriskCallTransport,
    rest: AriRest,
    externalInStasis: Promise<void>,
  ): Promise<void> {
    const media = this.#deps.webSocketMedia;
    if (!media) throw new Error('WebSocket media needs the ARI URL and credentials');
    const { externalChannelId, bridgeId } = transport.ids;
    const external = await rest.externalMediaWebSocket({
      app: this.#deps.app,
      format: 'ulaw',
      channelId: externalChannelId,
    });
    const leg = await WebSocketMediaLeg.open({
      ...media,
      connectionId: external.connectionId,
      logger: this.#deps.logger,
      ...transport.mediaEvents,
    });
    transport.useLeg(leg);
    const deadline = Date.now() + (this.#deps.externalStasisTimeoutMs ?? EXTERNAL_STASIS_TIMEOUT_MS);
    let inStasis = false;
    void externalInStasis.then(() => {
      inStasis = true;
    });
    for (;;) {
      if (transport.isClosed || transport.callerHasLeft) throw new CallEndedDuringSetupError();
      try {
        await rest.addChannels(bridgeId, [externalChannelId]);
        return;
      } catch (error) {
        if ((error as { kind?: string }).kind !== 'not_in_stasis') throw error;
      }
      if (Date.now() >= deadline) throw new Error('ExternalMedia channel never entered the app');
      // A StasisStart seen here since the last attempt: retry at once.
      if (inStasis) continue;
      const wait = Math.min(ADD_CHANNEL_RETRY_MS, deadline - Date.now());
      await this.#untilEnded(transport, externalInStasis, wait);
    }
  }

  /** Waits for `event`, the end of the call, or `ms`; throws if the call ended meanwhile. */
  async #untilEnded(
    transport: AsteriskCallTransport,
    event: Promise<void>,
    ms = this.#deps.externalStasisTimeoutMs ?? EXTERNAL_STASIS_TIMEOUT_MS,
  ): Promise<'event' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const outcome = await Promise.race([event.then(() => 'event' as const), transport.whenEnded, timedOut]);
    clearTimeout(timer);
    if (transport.isClosed || transport.callerHasLeft) throw new CallEndedDuringSetupError();
    return outcome === 'timeout' ? 'timeout' : 'event';
  }

  /** Whether a bridge or channel id belongs to a call live on this task. */
  owns(id: string): boolean {
    if (this.byCaller.has(id) || this.byExternal.has(id)) return true;
    if (this.#transfers.owns(id)) return true;
    return [...this.byCallId.values()].some(
      (live) => live.transport.ids.bridgeId === id || tagsFor(live.transport.ids.callId).holdBridgeId === id,
    );
  }

  /** After an ARI outage: end the calls whose caller channel Asterisk no longer has. */
  async reconcile(): Promise<void> {
    if (this.byCaller.size === 0) return;
    const present = new Set((await this.#deps.rest.listChannels()).map((c) => c.id));
    for (const [channelId, live] of this.byCaller) {
      if (!present.has(channelId)) live.transport.callerLeft('caller_hangup', 'gone after ARI reconnect');
    }
  }

  /** Ends every live call's caller leg as broken media (ARI unreachable past the grace period). */
  failAll(detail: string): void {
    for (const live of this.byCallId.values()) live.transport.callerLeft('media_error', detail);
  }

  #forget(callId: string): void {
    const live = this.byCallId.get(callId);
    if (!live) return;
    this.byCallId.delete(callId);
    this.byCaller.delete(live.transport.ids.callerChannelId);
    this.byExternal.delete(live.transport.ids.externalChannelId);
  }
}
