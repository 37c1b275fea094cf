import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '#shared/logging/logger.ts';
import type { QueueDefinition } from '#shared/queues/definitions.ts';
import { lambdaContext, loadHandler } from './lambda-context.ts';

/** An SQS message as Lambda hands it to a consumer. */
export function toRecord(message: Message, queueArn: string): SQSRecord {
  const attrs = message.Attributes ?? {};
  return {
    messageId: String(message.MessageId),
    receiptHandle: String(message.ReceiptHandle),
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        {
          stringValue: v.StringValue,
          binaryValue: undefined,
          stringListValues: [],
          binaryListValues: [],
          dataType: String(v.DataType),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export interface QueuePoller {
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source mapping does, locally: long-poll the queue, invoke the consumer
 * with a real SQS batch event, delete the messages that succeeded and leave the ones reported in
 * `batchItemFailures` (or the whole batch when the handler throws) to reappear after their
 * visibility timeout, until the queue's redrive policy moves them to the DLQ.
 */
export function startQueuePoller(options: {
  sqs: SQSClient;
  queueUrl: string;
  definition: QueueDefinition;
  rootDir: string;
  logger: Logger;
}): QueuePoller {
  const { sqs, queueUrl, definition, logger } = options;
  const consumer = definition.consumer;
  if (!consumer) throw new Error(`${definition.id} has no consumer`);
  let running = true;
  const abort = new AbortController();

  const loop = async () => {
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = attrs.Attributes?.QueueArn ?? queueUrl;
    while (running) {
      let messages: Message[] = [];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, consumer.batchSize),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (!running) return;
        logger.warn('queue receive failed', { queue: definition.id, err: error });
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length === 0) continue;
      const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn)) };
      let failed = new Set(event.Records.map((r) => r.messageId));
      try {
        const handler = await loadHandler(options.rootDir, consumer.handler);
        const response = (await handler(
          event,
          lambdaContext(consumer.handler, definition.consumerTimeoutSeconds * 1000),
        )) as SQSBatchResponse | undefined;
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        logger.error('consumer threw; the whole batch will be retried', { queue: definition.id, err: error });
      }
      const done = event.Records.filter((r) => !failed.has(r.messageId));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
    }
  };
  const finished = loop().catch((error) =>
    logger.error('queue poller stopped', { queue: definition.id, err: error }),
  );
  return {
    async stop() {
      running = false;
      abort.abort();
      await finished;
    },
  };
}
