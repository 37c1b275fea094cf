import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { startPerCallTransport } from '../asterisk-percall/percall-transport.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import { isTerminal } from '#shared/calls/call-status.ts';
import { getCall } from '#shared/data/calls.ts';
import { startAsteriskTransport } from '../asterisk/asterisk-transport.ts';
import type { MediaRoutes } from '../server.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import { createCommandRelay } from '../fleet/command-relay.ts';
import { startMediaCommandConsumer } from './media-command-consumer.ts';

/** What media control needs of either Asterisk transport (classic or per-call). */
interface AsteriskControl {
  originate(command: Extract<MediaCommand, { type: 'call.originate' }>): Promise<void>;
  cancelRinging(callId: string): Promise<boolean>;
  cancelAllRinging(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the Asterisk transport of `ASTERISK_MODE` (classic ARI, or per-call WebSockets). */
async function startAsterisk(deps: SessionDeps, routes: MediaRoutes): Promise<AsteriskControl> {
  if (deps.env.ASTERISK_MODE === 'per_call') {
    const perCall = await startPerCallTransport(deps, { routes, resume: true });
    return {
      originate: perCall.originate,
      cancelRinging: perCall.cancelRinging,
      cancelAllRinging: () => perCall.dialer.cancelAll(),
      stop: () => perCall.stop(),
    };
  }
  const classic = await startAsteriskTransport(deps, { routes });
  return {
    originate: classic.originate,
    cancelRinging: classic.cancelRinging,
    cancelAllRinging: () => classic.outbound.cancelAll(),
    stop: () => classic.stop(),
  };
}

/**
 * The media service's control side: the Asterisk transport when `ARI_URL` is set, and the
 * consumer of the media command queue (`call.end` and `call.machine_verdict` for live calls of
 * every transport, `call.originate` for Asterisk) when `QUEUE_MEDIA_COMMANDS_URL` is set. One call to start, one
 * to stop (after live calls have drained).
 */
export interface MediaControl {
  /** Shutdown, grace over: hangs up the outbound calls still ringing (they end as `shutdown`). */
  hangUpRinging(): Promise<void>;
  /** Stops the command consumer and the Asterisk transport (after live calls have drained). */
  stop(): Promise<void>;
}

export function startMediaControl(deps: SessionDeps, routes: MediaRoutes): MediaControl {
  const logger = deps.logger.child({ component: 'media-control' });
  let asterisk: AsteriskControl | undefined;
  const asteriskStarting = deps.env.ARI_URL
    ? startAsterisk(deps, routes).then(
        (started) => {
          asterisk = started;
          return started;
        },
        (err) => {
          logger.error('asterisk transport did not start', { err });
          routes.checks.asterisk = () => ({ status: 'down', latencyMs: 0, error: 'not_started' });
          return undefined;
        },
      )
    : Promise.resolve(undefined);

  const queueUrl = deps.queueUrls.mediaCommands;
  const consumer = queueUrl
    ? startMediaCommandConsumer({
        sqs: deps.sqs,
        queueUrl,
        logger,
        registry: deps.registry,
        asterisk: deps.env.ARI_URL
          ? {
              originate: async (command) => {
                const ready = await asteriskStarting;
                if (!ready) throw new Error('Asterisk transport is not running');
                await ready.originate(command);
              },
              cancelRinging: async (callId) => (await asteriskStarting)?.cancelRinging(callId) ?? false,
            }
          : undefined,
        // Without Asterisk here, an originate goes straight back to the queue for a task that has it.
        onNotForUs: (message, delaySeconds = 0) =>
          deps.sqs
            .send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: queueUrl,
                ReceiptHandle: message.ReceiptHandle,
                VisibilityTimeout: delaySeconds,
              }),
            )
            .then(() => undefined),
        relay: createCommandRelay({
          db: deps.db,
          secrets: deps.secrets,
          taskId: deps.taskId,
          logger: logger.child({ component: 'command-relay' }),
        }),
        isCallOver: async (tenantId, callId) => {
          const call = await getCall(deps.db, tenantId, callId);
          return !call || isTerminal(call.status);
        },
      })
    : undefined;

  return {
    async hangUpRinging() {
      await (await asteriskStarting)?.cancelAllRinging();
    },
    async stop() {
      await consumer?.stop();
      await asteriskStarting;
      await asterisk?.stop();
    },
  };
}
