import type { Logger } from '#shared/logging/logger.ts';
import type { AriRest } from './ari-rest.ts';
import { OUR_ID_PREFIX } from './asterisk-calls.ts';

/**
 * Removes what a previous run of this service left on Asterisk: a crashed client leaves bridges
 * and ExternalMedia channels behind, and those keep sending RTP to ports we may hand out again.
 * Ours are recognised by the id/name prefix every bridge and channel we create carries; callers
 * still sitting in one of our bridges are hung up too (their call record was ended by the
 * session's owner or will be by the stale-call sweep). Runs before the first call, and again
 * after every ARI reconnect for what calls that failed during the outage could not release.
 */
export async function removeLeftovers(
  rest: AriRest,
  logger: Logger,
  /** Ids (bridges and channels) of calls live on this task, kept when cleaning after a reconnect. */
  isLive: (id: string) => boolean = () => false,
): Promise<{ bridges: number; channels: number }> {
  const [bridges, channels] = await Promise.all([rest.listBridges(), rest.listChannels()]);
  const ourBridges = bridges.filter(
    (b) => (b.name.startsWith(OUR_ID_PREFIX) || b.id.startsWith(OUR_ID_PREFIX)) && !isLive(b.id),
  );
  const doomed = new Set(channels.filter((c) => c.id.startsWith(OUR_ID_PREFIX)).map((c) => c.id));
  for (const bridge of ourBridges) for (const id of bridge.channels) doomed.add(id);
  for (const id of doomed) if (isLive(id)) doomed.delete(id);
  const ignoreGone = (err: unknown) => {
    if ((err as { kind?: string }).kind !== 'not_found') throw err;
  };
  await Promise.all([
    ...ourBridges.map((b) => rest.destroyBridge(b.id).catch(ignoreGone)),
    ...[...doomed].map((id) => rest.hangup(id, 'normal').catch(ignoreGone)),
  ]);
  if (ourBridges.length > 0 || doomed.size > 0) {
    logger.warn('asterisk leftovers removed', { bridges: ourBridges.length, channels: doomed.size });
  }
  return { bridges: ourBridges.length, channels: doomed.size };
}
