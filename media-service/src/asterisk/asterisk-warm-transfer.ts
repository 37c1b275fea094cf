import type { Logger } from '#shared/logging/logger.ts';
import type {
  ConsultEnd,
  ConsultEvents,
  ConsultLeg,
  ConsultRequest,
  WarmTransferLine,
} from '../session/transfer/warm-transfer-line.ts';
import { statusForUnansweredCause } from './ari-events.ts';
import type { AriRest } from './ari-rest.ts';

/** What happens to a consult channel, as `AsteriskCalls` routes its ARI events. */
export interface ConsultChannelHandler {
  /** StasisStart: the person answered and the channel entered our app. */
  answered(): void;
  dtmf(digit: string): void;
  /** Hang-up request, StasisEnd or destroyed; `cause` is the Q.850 cause when Asterisk gave one. */
  gone(cause: number | undefined): void;
}

/** How the warm line registers its channels with the event router (`AsteriskCalls`). */
export interface ConsultRouting {
  expectConsult(channelId: string, handler: ConsultChannelHandler): void;
  forgetConsult(channelId: string): void;
  /** After the hand-over: when either party hangs up, hang up the other and destroy the bridge. */
  superviseHandover(pair: { bridgeId: string; callerChannelId: string; consultChannelId: string }): void;
}

export interface AsteriskWarmLineOptions {
  callId: string;
  callerChannelId: string;
  /** The call's mixing bridge (caller, and our ExternalMedia channel: the agent). */
  bridgeId: string;
  externalChannelId: string;
  /** The holding bridge the caller waits in, created on the first hold. */
  holdBridgeId: string;
  /** Consult channel ids are this plus the attempt's number. */
  consultChannelPrefix: string;
  app: string;
  /** Dial string for the person, `{to}` replaced by the number (ARI_ENDPOINT_TEMPLATE). */
  endpointTemplate: string;
  rest: AriRest;
  routing: ConsultRouting;
  logger: Logger;
  /** The caller is on hold (true) or back (false): caller audio and keys stop or resume reaching the agent. */
  callerHeld(held: boolean): void;
  /** True before the legs move for good (the call's close must then leave caller and bridge alone), false if that failed. */
  handingOver(active: boolean): void;
}

/** A consult channel that ends before it answered: busy, no answer, or a failure; 16 is our own hang-up. */
function unansweredEnd(cause: number | undefined): ConsultEnd {
  if (cause === undefined) return 'failed';
  const status = statusForUnansweredCause(cause);
  return status === 'canceled' ? 'hung_up' : status;
}

/**
 * Warm transfer on Asterisk over ARI: the caller moves from the call's mixing bridge to a holding
 * bridge with music on hold; the person is originated into our app (`consult,<callId>`) and, on
 * answering, joins the mixing bridge, where the agent's ExternalMedia channel briefs them. To
 * connect, the ExternalMedia channel leaves the mixing bridge and the caller moves back into it.
 */
export class AsteriskWarmLine implements WarmTransferLine {
  readonly #o: AsteriskWarmLineOptions;
  #holdBridge: Promise<unknown> | undefined;
  #consults = 0;

  constructor(options: AsteriskWarmLineOptions) {
    this.#o = options;
  }

  /** Whether the holding bridge was created (the call's close destroys it). */
  get holdBridgeCreated(): boolean {
    return this.#holdBridge !== undefined;
  }

  async hold(): Promise<void> {
    const { rest, holdBridgeId, bridgeId, callerChannelId } = this.#o;
    this.#o.callerHeld(true);
    this.#holdBridge ??= rest.createBridge({ bridgeId: holdBridgeId, name: holdBridgeId, type: 'holding' });
    await this.#holdBridge;
    await rest.removeChannels(bridgeId, [callerChannelId]);
    await rest.addChannels(holdBridgeId, [callerChannelId]);
    await rest.startMoh(holdBridgeId);
  }

  async resume(): Promise<void> {
    const { rest, holdBridgeId, bridgeId, callerChannelId } = this.#o;
    await rest.removeChannels(holdBridgeId, [callerChannelId]);
    await rest.addChannels(bridgeId, [callerChannelId]);
    this.#o.callerHeld(false);
  }

  async dial(request: ConsultRequest, events: ConsultEvents): Promise<ConsultLeg> {
    const o = this.#o;
    const channelId = `${o.consultChannelPrefix}${++this.#consults}`;
    let answered = false;
    let gone = false;
    let handedOver = false;
    o.routing.expectConsult(channelId, {
      answered: () => {
        if (answered || gone) return;
        answered = true;
        o.rest.addChannels(o.bridgeId, [channelId]).then(
          () => events.answered(),
          (err: unknown) => {
            o.logger.warn('consult channel could not join the bridge', { callId: o.callId, err });
            void o.rest.hangup(channelId).catch(() => undefined);
          },
        );
      },
      dtmf: (digit) => {
        if (answered) events.digit(digit);
      },
      gone: (cause) => {
        if (gone) return;
        gone = true;
        o.routing.forgetConsult(channelId);
        events.ended(answered ? 'hung_up' : unansweredEnd(cause));
      },
    });
    try {
      await o.rest.originate({
        endpoint: o.endpointTemplate.replaceAll('{to}', request.to),
        app: o.app,
        appArgs: `consult,${o.callId}`,
        callerId: request.from,
        timeoutSeconds: request.ringSeconds,
        channelId,
      });
    } catch (error) {
      gone = true;
      o.routing.forgetConsult(channelId);
      throw error;
    }
    return {
      connect: async () => {
        o.handingOver(true);
        try {
          await o.rest.removeChannels(o.bridgeId, [o.externalChannelId]);
          await o.rest.removeChannels(o.holdBridgeId, [o.callerChannelId]);
          await o.rest.addChannels(o.bridgeId, [o.callerChannelId]);
        } catch (error) {
          o.handingOver(false);
          throw error;
        }
        handedOver = true;
        o.routing.forgetConsult(channelId);
        o.routing.superviseHandover({
          bridgeId: o.bridgeId,
          callerChannelId: o.callerChannelId,
          consultChannelId: channelId,
        });
      },
      hangUp: async () => {
        if (gone || handedOver) return;
        gone = true;
        o.routing.forgetConsult(channelId);
        await o.rest.hangup(channelId, 'normal').catch((err: unknown) => {
          if ((err as { kind?: string }).kind !== 'not_found')
            o.logger.warn('consult channel hang-up failed', { callId: o.callId, err });
        });
      },
    };
  }
}
