import type { SecretStore } from '#shared/config/secrets.ts';
import { getCallOwner } from '#shared/data/call-owners.ts';
import type { Db } from '#shared/data/client.ts';
import { getMediaTask } from '#shared/data/media-tasks.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { LiveCallCommand } from '../commands/live-delivery.ts';
import { MEDIA_RELAY_PATH } from './relay-route.ts';
import { signRelayedCommand } from './relay-token.ts';

/**
 * - `delivered`: the task that owns the call took the command.
 * - `not_elsewhere`: no other task holds the call live (ended, never owned, detached, or ours).
 * - `unreachable`: another task holds it but did not take it now (it is dying, or the call is
 *   moving between tasks): worth trying again shortly.
 */
export type RelayOutcome = 'delivered' | 'not_elsewhere' | 'unreachable';
export type CommandRelay = (command: LiveCallCommand) => Promise<RelayOutcome>;

export interface CommandRelayOptions {
  db: Db;
  secrets: SecretStore;
  /** This task: a call it owns is never relayed to itself. */
  taskId: string;
  logger: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Sends a live-call command straight to the task that runs the call. The media command queue is
 * shared by every task, so without this a hang-up or a machine verdict reaches the right task only
 * by chance (1 in N per delivery); with it, whichever task receives the message finds the owner
 * (the call's ownership record, then the owner's address) and hands it over in one request.
 */
export function createCommandRelay(options: CommandRelayOptions): CommandRelay {
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async (command) => {
    const owner = await getCallOwner(options.db, command.callId);
    if (owner?.state !== 'live' || owner.taskId === options.taskId) return 'not_elsewhere';
    const task = await getMediaTask(options.db, owner.taskId);
    if (!task) return 'unreachable';
    const token = await signRelayedCommand(
      command,
      options.taskId,
      await options.secrets.require('INTERNAL_SIGNING_KEY'),
    );
    try {
      const response = await send(`${task.url}${MEDIA_RELAY_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (response.status === 200) return 'delivered';
      options.logger.info('owner task did not take a relayed command', {
        callId: command.callId,
        type: command.type,
        ownerTaskId: owner.taskId,
        status: response.status,
      });
      return 'unreachable';
    } catch (error) {
      options.logger.warn('owner task unreachable for a relayed command', {
        callId: command.callId,
        type: command.type,
        ownerTaskId: owner.taskId,
        err: error,
      });
      return 'unreachable';
    }
  };
}
