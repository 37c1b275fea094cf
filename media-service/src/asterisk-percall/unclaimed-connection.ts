import type { Logger } from '#shared/logging/logger.ts';
import { isExternalMediaChannel } from '../asterisk/ari-events.ts';
import type { ChannelSummary } from '../asterisk/ari-rest.ts';
import { OUR_ID_PREFIX } from '../asterisk/asterisk-calls.ts';
import type { PerCallConnection } from './percall-connection.ts';

/** A per-call connection for a caller whose call is already bridged: its owner lost it. */
export interface OrphanedCall {
  connection: PerCallConnection;
  channel: ChannelSummary;
  /** Our bridge the caller still sits in (`ai-caller-bridge-<callId>`). */
  bridge: { id: string; name: string; channels: string[] };
}

/**
 * Takes over a call whose per-call connection came back without `StasisStart` (its task died or
 * the link broke; Asterisk reconnected to any task). `resumed`: it took the call. `refused`: the
 * call is not to be continued (ended, unknown, taken elsewhere), so its caller is hung up.
 * `owner_active`: its owner is still running it (its task beating, its media channel bridged),
 * so nothing is touched and the connection is held.
 */
export type ResumeHook = (orphan: OrphanedCall) => Promise<'resumed' | 'refused' | 'owner_active'>;

/**
 * A caller sitting in its call's bridge with a consult leg (`ai-caller-consult-…`) and no media
 * channel: a warm transfer handed it over to a person, the call ended, and the task that watched
 * the pair is gone. The pair is live and must be left talking.
 */
export type HandedOverHook = (pair: OrphanedCall & { consultChannelId: string }) => Promise<void>;

export type UnclaimedOutcome =
  | 'owner_active'
  | 'handed_over'
  | 'unknown_channel'
  | 'media_channel'
  | 'not_bridged'
  | 'resumed'
  | 'gone'
  | 'hung_up'
  | 'claimed';

/**
 * A connection that announced `ApplicationRegistered` and no `StasisStart` yet. Real Asterisk
 * sends StasisStart about 500 ms after registration for a new channel, and none for a channel it
 * re-connects (already in Stasis), so the connection is resolved at once rather than after a
 * wait: only a channel sitting in one of our bridges can be a re-connection, because a new call's
 * channel is bridged by its owner only after its StasisStart (which, if it arrives while this runs,
 * makes the result `claimed` and nothing is touched). What that channel is decides:
 * - gone from Asterisk: the connection is closed cleanly (1000);
 * - a media channel: held, its audio goes over its own `/media` socket to whichever task owns it;
 * - a caller in none of our bridges: a new channel whose StasisStart is late, left waiting;
 * - a caller bridged with a person by a warm transfer: the pair is handed to `handedOver` (left up);
 * - a caller in our bridge: its call lost its owner. The resume hook may take it over; otherwise
 *   the caller is hung up and the bridge and media channel its owner left are removed, since a
 *   channel nobody controls stays up forever.
 */
export async function resolveUnclaimed(
  connection: PerCallConnection,
  input: {
    logger: Logger;
    resume?: ResumeHook;
    handedOver?: HandedOverHook;
    /** True once the connection's StasisStart arrived meanwhile: a new call, nothing to resolve. */
    claimed?: () => boolean;
  },
): Promise<UnclaimedOutcome> {
  const { logger } = input;
  const claimed = input.claimed ?? (() => false);
  const channelName = connection.registration?.channelName ?? '';
  // A media channel's own connection is known by its name: held without a request over it.
  if (isExternalMediaChannel({ name: channelName })) return 'media_channel';
  const channel = (await connection.rest.listChannels()).find((c) => c.name === channelName);
  if (claimed()) return 'claimed';
  if (!channel) {
    logger.info('asterisk per-call connection for an unknown channel closed');
    connection.close(1000, 'unknown_channel');
    return 'unknown_channel';
  }
  if (isExternalMediaChannel(channel) || channel.id.startsWith(`${OUR_ID_PREFIX}media-`))
    return 'media_channel';
  const bridge = (await connection.rest.listBridges()).find(
    (b) =>
      b.channels.includes(channel.id) && (b.id.startsWith(OUR_ID_PREFIX) || b.name.startsWith(OUR_ID_PREFIX)),
  );
  if (claimed()) return 'claimed';
  if (!bridge) return 'not_bridged';
  const consultChannelId = bridge.channels.find((id) => id.startsWith(`${OUR_ID_PREFIX}consult-`));
  if (consultChannelId && input.handedOver) {
    await input.handedOver({ connection, channel, bridge, consultChannelId });
    return 'handed_over';
  }
  const resumed = input.resume ? await input.resume({ connection, channel, bridge }) : 'refused';
  if (resumed !== 'refused') return resumed;
  // Asterisk closed it while the resume was tried: the caller hung up, nothing is left to do here.
  if (connection.isClosed) return 'gone';
  logger.warn('asterisk call without an owner hung up', { channelId: channel.id, bridgeId: bridge.id });
  const others = bridge.channels.filter((id) => id !== channel.id);
  const ignoreGone = (err: unknown) => {
    if ((err as { kind?: string }).kind !== 'not_found') throw err;
  };
  await Promise.all([
    connection.rest.destroyBridge(bridge.id).catch(ignoreGone),
    ...others.map((id) => connection.rest.hangup(id, 'normal').catch(ignoreGone)),
    connection.rest.hangup(channel.id, 'normal').catch(ignoreGone),
  ]);
  return 'hung_up';
}
