import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '#shared/logging/logger.ts';
import { type MediaCommand, MediaCommandSchema } from '#shared/queues/contracts.ts';
import { decodeMessageBody } from '#shared/queues/message-body.ts';
import { VERDICT_WAIT_MS } from '#shared/voicemail/answered-by.ts';
import type { CommandRelay } from '../fleet/command-relay.ts';
import type { SessionRegistry } from '../session/session-registry.ts';
import { deliverToLiveSession } from './live-delivery.ts';

/** What the consumer needs from the Asterisk transport, when this task runs one. */
export interface AsteriskCommands {
  originate(command: Extract<MediaCommand, { type: 'call.originate' }>): Promise<void>;
  /** Hangs up a call still ringing; false when this task has no such call. */
  cancelRinging(callId: string): Promise<boolean>;
}

export interface MediaCommandConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  logger: Logger;
  registry: SessionRegistry;
  asterisk?: AsteriskCommands;
  /** SQS long-poll wait; 20 s (the maximum) in production. */
  waitSeconds?: number;
  /**
   * A command this task cannot run now (an originate without Asterisk, a verdict for a call not
   * live here): hand it back, visible again after `delaySeconds` (0 by default).
   */
  onNotForUs?: (message: Message, delaySeconds?: number) => Promise<void>;
  /** Whether a call has ended (or does not exist): a verdict for it is dropped, not retried. */
  isCallOver?: (tenantId: string, callId: string) => Promise<boolean>;
  /**
   * Hands a live-call command to the task that runs the call when that is another task (the
   * queue is shared by every task). Without it such commands wait for the right task to get them.
   */
  relay?: CommandRelay;
  now?: () => number;
}

export type CommandOutcome = 'done' | 'retry' | 'retry_later' | 'invalid';

type RunOptions = Pick<
  MediaCommandConsumerOptions,
  'registry' | 'asterisk' | 'logger' | 'isCallOver' | 'relay' | 'now'
>;

/**
 * A verdict for a call whose session is not bound yet (the stream is still connecting), or a
 * command for a call another task holds but did not take, comes back after this long.
 */
export const VERDICT_RETRY_SECONDS = 1;

/**
 * Runs one media command. `call.end` ends the live session of any transport through the session
 * registry (the session says goodbye, hangs up and stores everything), or hangs up an Asterisk
 * call that is still ringing. `call.originate` dials on Asterisk. Handlers are idempotent: a
 * redelivered command finds the call already handled and does nothing.
 */
export async function runMediaCommand(options: RunOptions, command: MediaCommand): Promise<CommandOutcome> {
  if (command.type === 'call.machine_verdict') return runMachineVerdict(options, command);
  if (command.type === 'call.end') {
    if (await deliverToLiveSession(options.registry, command)) return 'done';
    if (await options.asterisk?.cancelRinging(command.callId)) return 'done';
    const relayed = await options.relay?.(command);
    if (relayed === 'delivered') return 'done';
    // Another task holds the call but did not take it yet (dying, or the call is moving).
    if (relayed === 'unreachable') return 'retry_later';
    // Not live anywhere: nothing to end (a queued call is canceled by the API itself).
    options.logger.info('call.end for a call not live on any task', { callId: command.callId });
    return 'done';
  }
  if (!options.asterisk) {
    options.logger.error('call.originate received but Asterisk is not configured (ARI_URL)', {
      callId: command.callId,
    });
    return 'retry';
  }
  await options.asterisk.originate(command);
  return 'done';
}

/**
 * Hands an answering-machine verdict to the session of its call, here or (relayed) on the task
 * that runs it. Not live anywhere yet: the session may still be binding, so the command comes back
 * shortly, until the call is over or the verdict is older than a session waits for one (the
 * session has greeted by then).
 */
async function runMachineVerdict(
  options: RunOptions,
  command: Extract<MediaCommand, { type: 'call.machine_verdict' }>,
): Promise<CommandOutcome> {
  const { answeredBy } = command;
  if (await deliverToLiveSession(options.registry, command)) return 'done';
  if ((await options.relay?.(command)) === 'delivered') return 'done';
  const ageMs = (options.now?.() ?? Date.now()) - Date.parse(command.occurredAt);
  if (ageMs > VERDICT_WAIT_MS || (await options.isCallOver?.(command.tenantId, command.callId))) {
    options.logger.info('machine verdict for a call not live here dropped', {
      callId: command.callId,
      answeredBy,
      ageMs,
    });
    return 'done';
  }
  return 'retry_later';
}

/**
 * Long-polls the media command queue and deletes a message only once its command is done, so a
 * crash or an error leaves it for redelivery (and, after `maxReceiveCount`, the DLQ). Messages
 * that do not parse are left alone for the DLQ, where an operator can see them.
 */
export function startMediaCommandConsumer(options: MediaCommandConsumerOptions): { stop(): Promise<void> } {
  const { sqs, queueUrl, logger } = options;
  let running = true;
  const abort = new AbortController();
  const inflight = new Set<Promise<void>>();

  const handle = async (message: Message) => {
    let command: MediaCommand;
    try {
      const parsed = MediaCommandSchema.safeParse(decodeMessageBody(message.Body ?? ''));
      if (!parsed.success) throw parsed.error;
      command = parsed.data;
    } catch {
      logger.error('media command ignored: not a valid command', { messageId: message.MessageId });
      return;
    }
    try {
      const outcome = await runMediaCommand(options, command);
      if (outcome === 'retry') await options.onNotForUs?.(message);
      if (outcome === 'retry_later') await options.onNotForUs?.(message, VERDICT_RETRY_SECONDS);
      if (outcome !== 'done') return;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (error) {
      logger.warn('media command failed; it will be retried', {
        type: command.type,
        callId: command.callId,
        err: error,
      });
    }
  };

  const loop = (async () => {
    while (running) {
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitSeconds ?? 20,
          }),
          { abortSignal: abort.signal },
        );
        // Not awaited: a call.end waits for the goodbye, which must not hold up the next poll.
        for (const message of out.Messages ?? []) {
          const work = handle(message).finally(() => inflight.delete(work));
          inflight.add(work);
        }
      } catch (error) {
        if (!running) break;
        logger.warn('media command poll failed', { err: error });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      abort.abort();
      await loop;
      await Promise.allSettled([...inflight]);
    },
  };
}
