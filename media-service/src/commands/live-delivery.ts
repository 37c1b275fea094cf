import type { EndReason } from '#shared/calls/call-types.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import type { SessionRegistry } from '../session/session-registry.ts';

/** Commands about a live call, which only the task running the call can carry out. */
export type LiveCallCommand = Extract<MediaCommand, { type: 'call.end' | 'call.machine_verdict' }>;

export const isLiveCallCommand = (command: MediaCommand): command is LiveCallCommand =>
  command.type === 'call.end' || command.type === 'call.machine_verdict';

/**
 * Hands a command to the session of its call when that session runs on this task. False when it
 * does not (or cannot take a verdict): the caller decides whether to relay or retry. An end
 * resolves once the call is fully closed, unless `untilClosed` is false (a relayed command is
 * acknowledged as soon as the session has it, so the sender's request stays short).
 */
export async function deliverToLiveSession(
  registry: SessionRegistry,
  command: LiveCallCommand,
  options: { untilClosed: boolean; onEndFailed?: (error: unknown) => void } = { untilClosed: true },
): Promise<boolean> {
  const live = registry.get(command.callId);
  if (!live) return false;
  if (command.type === 'call.end') {
    const ending = live.end(command.reason as EndReason);
    if (options.untilClosed) await ending;
    else ending.catch((error: unknown) => options.onEndFailed?.(error));
    return true;
  }
  if (!live.machineVerdict) return false;
  const { answeredBy, providerVerdict, detectionMs } = command;
  live.machineVerdict({ answeredBy, providerVerdict, detectionMs });
  return true;
}
