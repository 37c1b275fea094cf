import { isTerminal } from '#shared/calls/call-status.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { getAgent } from '#shared/data/agents.ts';
import { getCall, linkProviderCallId, transitionCall } from '#shared/data/calls.ts';
import { UnavailableError } from '#shared/errors/app-error.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import type { SessionSlot } from '../session/session-registry.ts';
import { type AriEvent, statusForUnansweredCause } from './ari-events.ts';
import {
  type AsteriskCalls,
  type AsteriskDeps,
  CallEndedDuringSetupError,
  tagsFor,
} from './asterisk-calls.ts';
import { readAmdVerdict } from './amd-verdict.ts';
import { endCallWithoutSession } from './call-records.ts';
import type { RtpPortLease } from './rtp-port-pool.ts';

type OriginateCommand = Extract<MediaCommand, { type: 'call.originate' }>;

interface PendingOriginate {
  call: Call;
  lease?: RtpPortLease;
  slot: SessionSlot;
}

/** How long Asterisk rings the far end before giving up (ARI originate `timeout`). */
const RING_TIMEOUT_SECONDS = 30;

/**
 * Outbound calls on Asterisk: `call.originate` from the media command queue dials the endpoint
 * template with `app=<our app>`; Asterisk puts the channel in our app when the far end answers,
 * and then it gets the same media set-up as an inbound call. With answering-machine detection the
 * answered channel runs Asterisk's AMD() in the `<app>-amd` dialplan context first, and the session
 * starts with its verdict. If it is never answered the channel
 * is destroyed with a Q.850 cause that becomes the call's status (busy, no_answer, failed).
 * The port and the registry place are held while it rings, so an answered call always has both.
 */
export class OutboundCalls {
  readonly #deps: AsteriskDeps;
  readonly #calls: AsteriskCalls;
  readonly #pending = new Map<string, PendingOriginate>();

  constructor(deps: AsteriskDeps, calls: AsteriskCalls) {
    this.#deps = deps;
    this.#calls = calls;
  }

  get ringing(): number {
    return this.#pending.size;
  }

  owns(channelId: string): boolean {
    return this.#pending.has(channelId);
  }

  /**
   * Handles one command; resolves when it is done (the message may be deleted) and rejects when
   * it should be retried (this task is full or Asterisk is unreachable before anything was dialed).
   */
  async originate(command: OriginateCommand): Promise<void> {
    const { session, rest, logger } = this.#deps;
    const call = await getCall(session.db, command.tenantId, command.callId);
    // Redelivered or already handled: only a queued call without a provider id is ours to dial.
    if (call?.status !== 'queued' || call.providerCallId || call.provider !== 'asterisk') return;
    const reservation = session.registry.reserve(call.id);
    if (!reservation.ok) {
      if (reservation.reason === 'duplicate') return;
      throw new UnavailableError(`This media task cannot take the call now (${reservation.reason}).`);
    }
    const { slot } = reservation;
    let lease: RtpPortLease | undefined;
    try {
      lease = await this.#deps.ports?.acquire();
    } catch (error) {
      slot.release();
      throw error;
    }
    const channelId = tagsFor(call.id).outboundChannelId;
    this.#pending.set(channelId, { call, lease, slot });
    const appArgs = `outbound,${call.id}`;
    try {
      await rest.originate({
        endpoint: this.#deps.endpointTemplate.replaceAll('{to}', call.to),
        app: this.#deps.app,
        appArgs,
        callerId: call.from,
        timeoutSeconds: RING_TIMEOUT_SECONDS,
        channelId,
        // With detection the answered channel runs AMD() in the dialplan, which then hands it to
        // the app with these arguments (docs/voicemail-detection.md has the dialplan).
        ...(call.machineDetection
          ? {
              dialplan: { context: this.#deps.amdContext, extension: 's', priority: 1 },
              variables: { AI_CALLER_APP: this.#deps.app, AI_CALLER_APP_ARGS: appArgs },
            }
          : {}),
      });
    } catch (error) {
      this.#drop(channelId);
      if ((error as { kind?: string }).kind === 'unreachable') throw error;
      logger.warn('asterisk originate refused', { callId: call.id, err: error });
      await endCallWithoutSession(session, call, 'failed', 'failed');
      return;
    }
    // A channel dialed into the dialplan is not the app's until Stasis(): subscribe so that a busy
    // or unanswered outcome still reaches us; without that the call could not be followed at all.
    if (call.machineDetection) {
      try {
        await rest.subscribeToChannel(this.#deps.app, channelId);
      } catch (error) {
        logger.error('could not follow an originated channel; hanging it up', {
          callId: call.id,
          err: error,
        });
        this.#drop(channelId);
        await rest.hangup(channelId, 'normal').catch(() => undefined);
        await endCallWithoutSession(session, call, 'failed', 'failed');
        return;
      }
    }
    await linkProviderCallId(session.db, call, channelId).catch((err) =>
      logger.warn('provider call id not linked', { callId: call.id, err }),
    );
    await transitionCall(session.db, call.tenantId, call.id, 'ringing', {
      media: { asterisk: { callerChannelId: channelId } },
    }).catch((err) => logger.warn('ringing status not stored', { callId: call.id, err }));
  }

  /** The far end answered: the originated channel entered our app. */
  onStasisStart(event: Extract<AriEvent, { type: 'StasisStart' }>): boolean {
    const pending = this.#pending.get(event.channel.id);
    if (!pending) return false;
    this.#pending.delete(event.channel.id);
    void this.#connectAnswered(pending, event).catch((err) =>
      this.#deps.logger.error('asterisk outbound set-up failed', { callId: pending.call.id, err }),
    );
    return true;
  }

  /** Never answered: busy, no answer, rejected, congestion, or canceled by us. */
  onDestroyed(event: Extract<AriEvent, { type: 'ChannelDestroyed' }>): boolean {
    const pending = this.#pending.get(event.channel.id);
    if (!pending) return false;
    this.#drop(event.channel.id);
    const status = statusForUnansweredCause(event.cause);
    const reason = status === 'canceled' ? 'canceled' : status;
    this.#deps.logger.info('asterisk outbound call not answered', {
      callId: pending.call.id,
      cause: event.cause,
      status,
    });
    void endCallWithoutSession(this.#deps.session, pending.call, status, reason).catch((err) =>
      this.#deps.logger.error('unanswered call not stored', { callId: pending.call.id, err }),
    );
    return true;
  }

  /** `call.end` for a call still ringing: hang up the originated channel (it ends as canceled). */
  async cancel(callId: string): Promise<boolean> {
    const channelId = tagsFor(callId).outboundChannelId;
    if (!this.#pending.has(channelId)) return false;
    await this.#deps.rest.hangup(channelId, 'normal');
    return true;
  }

  /** Shutdown: hangs up every call still ringing and ends it as failed (`shutdown`). */
  async cancelAll(): Promise<void> {
    const ringing = [...this.#pending.entries()];
    for (const [channelId] of ringing) this.#drop(channelId);
    await Promise.all(
      ringing.map(async ([channelId, { call }]) => {
        await this.#deps.rest.hangup(channelId, 'normal').catch(() => undefined);
        await endCallWithoutSession(this.#deps.session, call, 'failed', 'shutdown').catch((err) =>
          this.#deps.logger.error('ringing call not ended at shutdown', { callId: call.id, err }),
        );
      }),
    );
  }

  async #connectAnswered(pending: PendingOriginate, event: Extract<AriEvent, { type: 'StasisStart' }>) {
    const { call, lease, slot } = pending;
    const { session } = this.#deps;
    const agent = await getAgent(session.db, call.tenantId, call.agentId);
    const current = await getCall(session.db, call.tenantId, call.id);
    const machineVerdict = current?.machineDetection
      ? await readAmdVerdict(
          { rest: this.#deps.rest, db: session.db, logger: this.#deps.logger },
          current,
          event.channel.id,
        )
      : undefined;
    if (!agent || !current || isTerminal(current.status)) {
      lease?.release();
      slot.release();
      await this.#deps.rest.hangup(event.channel.id, 'normal').catch(() => undefined);
      return;
    }
    try {
      await this.#calls.connect({
        call: current,
        agent,
        caller: event.channel,
        lease,
        slot,
        answer: false,
        machineVerdict,
      });
    } catch (error) {
      slot.release();
      const hungUp = error instanceof CallEndedDuringSetupError;
      await endCallWithoutSession(
        session,
        current,
        hungUp ? 'canceled' : 'failed',
        hungUp ? 'caller_hangup' : 'media_error',
      );
      if (!hungUp) throw error;
    }
  }

  #drop(channelId: string): void {
    const pending = this.#pending.get(channelId);
    if (!pending) return;
    this.#pending.delete(channelId);
    pending.lease?.release();
    pending.slot.release();
  }
}
