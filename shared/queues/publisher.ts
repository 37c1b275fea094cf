import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UnavailableError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { traceMessageAttributes } from '../observability/queue-trace.ts';
import { type CallEvent, CallEventSchema, type MediaCommand, MediaCommandSchema } from './contracts.ts';
import { QUEUES, type QueueId } from './definitions.ts';
import { encodeMessageBody } from './message-body.ts';
import { EVENT_SUBSCRIPTIONS } from './routing.ts';
import { configSource } from '../config/config-source.ts';

export type QueueUrls = Partial<Record<QueueId, string>>;

/** Reads queue URLs from the environment variables named in the definitions. */
export function queueUrlsFromEnv(env: Record<string, string | undefined> = configSource()): QueueUrls {
  const urls: QueueUrls = {};
  for (const [id, def] of Object.entries(QUEUES) as [QueueId, (typeof QUEUES)[QueueId]][]) {
    const url = env[def.urlEnv];
    if (url) urls[id] = url;
  }
  return urls;
}

type Distribute<T> = T extends unknown
  ? Omit<T, 'schemaVersion' | 'eventId' | 'occurredAt'> & Partial<Pick<CallEvent, 'eventId' | 'occurredAt'>>
  : never;
export type CallEventInput = Distribute<CallEvent>;

/** Per-publish options: `abortSignal` bounds the whole send, SDK retries included. */
export interface PublishOptions {
  abortSignal?: AbortSignal;
}

async function send(
  sqs: SQSClient,
  queueUrl: string,
  body: unknown,
  options: PublishOptions & { delaySeconds?: number } = {},
): Promise<void> {
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: encodeMessageBody(body),
        DelaySeconds: options.delaySeconds,
        ...traceMessageAttributes(),
      }),
      { abortSignal: options.abortSignal },
    );
  } catch (error) {
    throw new UnavailableError('The event queue is unavailable.', { cause: error });
  }
}

/**
 * Validates an event and sends one copy to each subscribed queue. Event ids are stable across
 * retries of the same publish (pass `eventId` to make a re-publish deduplicate downstream).
 */
export async function publishCallEvent(
  sqs: SQSClient,
  urls: QueueUrls,
  input: CallEventInput,
  options: PublishOptions = {},
): Promise<CallEvent> {
  const event = buildCallEvent(input);
  const targets = EVENT_SUBSCRIPTIONS[event.type];
  await Promise.all(
    targets.map((queue) => {
      const url = urls[queue];
      return url ? send(sqs, url, event, options) : Promise.resolve();
    }),
  );
  return event;
}

/** Validates an event and fills in its id and time (kept when given). */
export function buildCallEvent(input: CallEventInput): CallEvent {
  return CallEventSchema.parse({
    schemaVersion: 1,
    eventId: input.eventId ?? newId('event'),
    occurredAt: input.occurredAt ?? new Date().toISOString(),
    ...input,
  });
}

type DistributeCommand<T> = T extends unknown ? Omit<T, 'schemaVersion' | 'eventId' | 'occurredAt'> : never;

export async function sendMediaCommand(
  sqs: SQSClient,
  urls: QueueUrls,
  input: DistributeCommand<MediaCommand>,
): Promise<MediaCommand> {
  const command = MediaCommandSchema.parse({
    schemaVersion: 1,
    eventId: newId('event'),
    occurredAt: new Date().toISOString(),
    ...input,
  });
  const url = urls.mediaCommands;
  if (!url) throw new UnavailableError('The media command queue is not configured.');
  await send(sqs, url, command);
  return command;
}
