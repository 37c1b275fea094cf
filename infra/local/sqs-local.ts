import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import type { QueueDefinition } from '#shared/queues/definitions.ts';

export interface SqsLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts fauxqs (SQS over the JSON protocol), persisted in `dataDir` when given. */
export async function startSqsLocal(options: { dataDir?: string; port?: number } = {}): Promise<SqsLocal> {
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    host: '127.0.0.1',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

/**
 * Creates each queue and its DLQ (with the redrive policy) the way CDK declares them. CreateQueue
 * is idempotent for identical attributes, so this runs on every start.
 */
export async function ensureQueues(
  sqs: SQSClient,
  defs: readonly QueueDefinition[],
  prefix: string,
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const def of defs) {
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${def.id}-dlq`,
        Attributes: { MessageRetentionPeriod: '1209600' },
      }),
    );
    const dlqAttrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${def.id}`,
        Attributes: {
          VisibilityTimeout: String(def.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqAttrs.Attributes?.QueueArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    urls[def.urlEnv] = String(queue.QueueUrl);
    urls[`${def.urlEnv.replace(/_URL$/, '')}_DLQ_URL`] = String(dlq.QueueUrl);
  }
  return urls;
}
