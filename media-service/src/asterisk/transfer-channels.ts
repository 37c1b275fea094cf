import type { AriEvent } from './ari-events.ts';
import type { AsteriskDeps } from './asterisk-calls.ts';
import type { ConsultChannelHandler, ConsultRouting } from './asterisk-warm-transfer.ts';

/**
 * The warm-transfer channels of one Asterisk transport: consult legs while they ring or hear the
 * briefing, and caller–person pairs after the hand-over. Their events are routed here before any
 * call's; when one side of a handed-over pair leaves, the other is hung up and their bridge
 * destroyed (the agent already left the call).
 */
export class TransferChannels implements ConsultRouting {
  readonly #deps: Pick<AsteriskDeps, 'rest' | 'logger'>;
  /** Consult channels, ringing or briefing, by channel id. */
  readonly #consults = new Map<string, ConsultChannelHandler>();
  /** Callers handed over to a person: each channel's partner and their bridge. */
  readonly #handovers = new Map<string, { other: string; bridgeId: string }>();

  constructor(deps: Pick<AsteriskDeps, 'rest' | 'logger'>) {
    this.#deps = deps;
  }

  expectConsult(channelId: string, handler: ConsultChannelHandler): void {
    this.#consults.set(channelId, handler);
  }

  forgetConsult(channelId: string): void {
    this.#consults.delete(channelId);
  }

  superviseHandover(pair: { bridgeId: string; callerChannelId: string; consultChannelId: string }): void {
    this.#handovers.set(pair.callerChannelId, { other: pair.consultChannelId, bridgeId: pair.bridgeId });
    this.#handovers.set(pair.consultChannelId, { other: pair.callerChannelId, bridgeId: pair.bridgeId });
  }

  /** Whether a channel or bridge id is one of these channels or a handed-over pair's bridge. */
  owns(id: string): boolean {
    if (this.#consults.has(id) || this.#handovers.has(id)) return true;
    return [...this.#handovers.values()].some((pair) => pair.bridgeId === id);
  }

  /** Routes a consult or handed-over channel's event; true when the channel is one of them. */
  route(event: AriEvent): boolean {
    if (event.type === 'other') return false;
    const { channel } = event;
    const consult = this.#consults.get(channel.id);
    if (consult) {
      if (event.type === 'StasisStart') consult.answered();
      else if (event.type === 'ChannelDtmfReceived') consult.dtmf(event.digit);
      else if (event.type === 'ChannelDestroyed' || event.type === 'ChannelHangupRequest')
        consult.gone(event.cause);
      else if (event.type === 'StasisEnd') consult.gone(undefined);
      return true;
    }
    const pair = this.#handovers.get(channel.id);
    if (!pair) return false;
    if (
      event.type === 'StasisEnd' ||
      event.type === 'ChannelHangupRequest' ||
      event.type === 'ChannelDestroyed'
    ) {
      this.#handovers.delete(channel.id);
      this.#handovers.delete(pair.other);
      const { rest, logger } = this.#deps;
      const quiet = (what: string) => (err: unknown) => {
        if ((err as { kind?: string }).kind !== 'not_found')
          logger.warn('handover release failed', { what, err });
      };
      void rest.hangup(pair.other, 'normal').catch(quiet('channel'));
      void rest.destroyBridge(pair.bridgeId).catch(quiet('bridge'));
    }
    return true;
  }
}
