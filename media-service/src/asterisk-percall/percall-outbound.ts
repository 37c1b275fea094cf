import { isTerminal } from '#shared/calls/call-status.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { getAgent } from '#shared/data/agents.ts';
import { getCall, linkProviderCallId, transitionCall } from '#shared/data/calls.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import { type AriEvent, statusForUnansweredCause } from '../asterisk/ari-events.ts';
import type { AriRest } from '../asterisk/ari-rest.ts';
import {
  type AsteriskCalls,
  type AsteriskDeps,
  CallEndedDuringSetupError,
  tagsFor,
} from '../asterisk/asterisk-calls.ts';
import { readAmdVerdict } from '../asterisk/amd-verdict.ts';
import { endCallWithoutSession } from '../asterisk/call-records.ts';

type OriginateCommand = Extract<MediaCommand, { type: 'call.originate' }>;
type StasisStart = Extract<AriEvent, { type: 'StasisStart' }>;

/** How long Asterisk rings the far end before giving up (ARI originate `timeout`). */
const RING_TIMEOUT_SECONDS = 30;

/** `Stasis` arguments of an originated call: `outbound,<callId>,<tenantId>`. */
export const outboundAppArgs = (call: Pick<Call, 'id' | 'tenantId'>) =>
  `outbound,${call.id},${call.tenantId}`;

/**
 * Outbound calls in per-call mode, dialing side. The task that takes `call.originate` dials over
 * ARI HTTP; the answered channel then enters Stasis and its per-call connection lands on whichever
 * task the load balancer picks (`takeAnsweredCall`). A call never answered enters no Stasis and
 * opens no connection, so the dialing task follows the ringing channel on its own small classic
 * app (`<ARI_APP>-dialer-<task>`, subscribed to that channel) to learn the Q.850 cause.
 */
export class PerCallDialer {
  readonly #deps: AsteriskDeps;
  readonly #http: AriRest;
  readonly #dialerApp: string;
  readonly #ringing = new Map<string, Call>();
  /** Subscribes the dialer app to a ringing channel (`POST /applications/{app}/subscription`). */
  readonly #subscribe: (channelId: string) => Promise<void>;

  constructor(
    deps: AsteriskDeps,
    http: AriRest,
    dialerApp: string,
    subscribe: (channelId: string) => Promise<void>,
  ) {
    this.#deps = deps;
    this.#http = http;
    this.#dialerApp = dialerApp;
    this.#subscribe = subscribe;
  }

  get ringing(): number {
    return this.#ringing.size;
  }

  get dialerApp(): string {
    return this.#dialerApp;
  }

  owns(channelId: string): boolean {
    return this.#ringing.has(channelId);
  }

  /** Dials; resolves when done (delete the message), rejects to retry (Asterisk unreachable). */
  async originate(command: OriginateCommand): Promise<void> {
    const { session, logger } = this.#deps;
    const call = await getCall(session.db, command.tenantId, command.callId);
    if (call?.status !== 'queued' || call.providerCallId || call.provider !== 'asterisk') return;
    const channelId = tagsFor(call.id).outboundChannelId;
    this.#ringing.set(channelId, call);
    try {
      const appArgs = outboundAppArgs(call);
      await this.#http.originate({
        endpoint: this.#deps.endpointTemplate.replaceAll('{to}', call.to),
        app: this.#deps.app,
        appArgs,
        callerId: call.from,
        timeoutSeconds: RING_TIMEOUT_SECONDS,
        channelId,
        // With detection the answered channel runs AMD() in the `<app>-amd` dialplan context first,
        // whose Stasis() then opens its per-call connection as for any answered call
        // (docs/voicemail-detection.md). The dialer app follows the ringing channel either way.
        ...(call.machineDetection
          ? {
              dialplan: { context: this.#deps.amdContext, extension: 's', priority: 1 },
              variables: { AI_CALLER_APP: this.#deps.app, AI_CALLER_APP_ARGS: appArgs },
            }
          : {}),
      });
    } catch (error) {
      this.#ringing.delete(channelId);
      if ((error as { kind?: string }).kind === 'unreachable') throw error;
      logger.warn('asterisk originate refused', { callId: call.id, err: error });
      await endCallWithoutSession(session, call, 'failed', 'failed');
      return;
    }
    await this.#subscribe(channelId).catch((err) =>
      logger.warn('ringing channel not followed: its ring outcome is not recorded', { callId: call.id, err }),
    );
    await linkProviderCallId(session.db, call, channelId).catch((err) =>
      logger.warn('provider call id not linked', { callId: call.id, err }),
    );
    await transitionCall(session.db, call.tenantId, call.id, 'ringing', {
      media: { asterisk: { callerChannelId: channelId } },
    }).catch((err) => logger.debug('ringing status not stored', { callId: call.id, err }));
  }

  /** Events of the dialer app: answered (someone else takes it over) or never answered. */
  onEvent(event: AriEvent): void {
    if (event.type === 'other') return;
    const call = this.#ringing.get(event.channel.id);
    if (!call) return;
    if (
      event.type === 'StasisStart' ||
      (event.type === 'ChannelStateChange' && event.channel.state === 'Up')
    ) {
      this.#ringing.delete(event.channel.id);
      return;
    }
    if (event.type !== 'ChannelDestroyed') return;
    this.#ringing.delete(event.channel.id);
    const status = statusForUnansweredCause(event.cause);
    this.#deps.logger.info('asterisk outbound call not answered', {
      callId: call.id,
      cause: event.cause,
      status,
    });
    void endCallWithoutSession(
      this.#deps.session,
      call,
      status,
      status === 'canceled' ? 'canceled' : status,
    ).catch((err) => this.#deps.logger.error('unanswered call not stored', { callId: call.id, err }));
  }

  async cancel(callId: string): Promise<boolean> {
    const channelId = tagsFor(callId).outboundChannelId;
    if (!this.#ringing.has(channelId)) return false;
    await this.#http.hangup(channelId, 'normal');
    return true;
  }

  async cancelAll(): Promise<void> {
    const ringing = [...this.#ringing.entries()];
    this.#ringing.clear();
    await Promise.all(
      ringing.map(async ([channelId, call]) => {
        await this.#http.hangup(channelId, 'normal').catch(() => undefined);
        await endCallWithoutSession(this.#deps.session, call, 'failed', 'shutdown').catch((err) =>
          this.#deps.logger.error('ringing call not ended at shutdown', { callId: call.id, err }),
        );
      }),
    );
  }
}

/**
 * Answering side: an originated channel entered Stasis with `outbound,<callId>,<tenantId>` on a
 * per-call connection of this task. The call is found by those ids and must be the one dialed on
 * that very channel (its id is ours, `ai-caller-out-<callId>`); then it gets the media set-up of
 * any call, controlled over this connection.
 */
export async function takeAnsweredCall(
  deps: AsteriskDeps,
  calls: AsteriskCalls,
  rest: AriRest,
  event: StasisStart,
): Promise<void> {
  const { session, logger } = deps;
  const [, callId = '', tenantId = ''] = event.args;
  const refuse = async (reason: string) => {
    logger.warn('asterisk answered channel refused', { channelId: event.channel.id, reason });
    await rest.hangup(event.channel.id, 'normal').catch(() => undefined);
  };
  if (!callId || !tenantId || event.channel.id !== tagsFor(callId).outboundChannelId)
    return refuse('unknown_call');
  const call = await getCall(session.db, tenantId, callId);
  if (call?.provider !== 'asterisk' || isTerminal(call.status)) return refuse('call_not_live');
  const agent = await getAgent(session.db, call.tenantId, call.agentId);
  if (!agent) {
    await endCallWithoutSession(session, call, 'failed', 'rejected');
    return refuse('agent_missing');
  }
  const reservation = session.registry.reserve(call.id);
  if (!reservation.ok) {
    if (reservation.reason === 'duplicate') return;
    await endCallWithoutSession(session, call, 'failed', 'failed');
    return refuse(reservation.reason);
  }
  const { slot } = reservation;
  try {
    // The dialplan's AMD() verdict, read over this call's own connection.
    const machineVerdict = call.machineDetection
      ? await readAmdVerdict({ rest, db: session.db, logger }, call, event.channel.id)
      : undefined;
    await calls.connect({ call, agent, caller: event.channel, slot, answer: false, rest, machineVerdict });
  } catch (error) {
    slot.release();
    const hungUp = error instanceof CallEndedDuringSetupError;
    if (!hungUp) logger.error('asterisk outbound media set-up failed', { callId, err: error });
    await endCallWithoutSession(
      session,
      call,
      hungUp ? 'canceled' : 'failed',
      hungUp ? 'caller_hangup' : 'media_error',
    );
  }
}
