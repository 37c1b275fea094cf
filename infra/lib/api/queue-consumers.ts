import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { QueueDefinition, QueueId } from '#shared/queues/definitions.ts';
import { bindQueue } from '../constructs/bindings.ts';
import type { PlatformFunction } from '../constructs/platform-function.ts';
import { createHandlerFunction, type HandlerFunctionSettings, handlerExists } from './handler-functions.ts';

export interface QueueConsumersProps {
  queues: Readonly<Partial<Record<QueueId, QueueDefinition>>>;
  functions: HandlerFunctionSettings;
  /** Reserve each consumer's maximum concurrency, so API traffic can never starve it (and it can never exceed it). */
  reserveConcurrency: boolean;
}

export interface DeployedConsumer {
  queueId: QueueId;
  handler: string;
  function?: PlatformFunction;
  skipped?: 'handler file not found';
}

/**
 * One Lambda per queue that declares a consumer, fed by an SQS event source with partial batch
 * responses: a failed message returns to the queue alone and reaches the DLQ after
 * `maxReceiveCount` attempts, while the rest of the batch is deleted.
 */
export class QueueConsumers extends Construct {
  readonly consumers: DeployedConsumer[] = [];

  constructor(scope: Construct, id: string, props: QueueConsumersProps) {
    super(scope, id);
    for (const [queueId, definition] of Object.entries(props.queues) as [QueueId, QueueDefinition][]) {
      const consumer = definition.consumer;
      if (!consumer) continue;
      if (!handlerExists(props.functions.rootDir, consumer.handler)) {
        this.consumers.push({ queueId, handler: consumer.handler, skipped: 'handler file not found' });
        continue;
      }
      const queue = props.functions.resources.queues[queueId];
      const declared = { entry: consumer.handler, grants: consumer.grants };
      const fn = createHandlerFunction(this, definition.id, props.functions, declared, {
        description: `Consumer of the ${definition.id} queue`,
        timeout: Duration.seconds(definition.consumerTimeoutSeconds),
        memorySize: consumer.memorySizeMb,
        // SQS-triggered functions need a reserve of at least their maximum concurrency, else
        // Lambda throttles the poller's invocations and messages bounce back to the queue.
        reservedConcurrency: props.reserveConcurrency ? consumer.maxConcurrency : undefined,
      });
      bindQueue(fn, definition, queue, 'consume');
      if (consumer.grants.deadLetters) {
        // Poison messages go straight to the DLQ, found through the queue's redrive policy.
        iam.Grant.addToPrincipal({
          grantee: fn,
          actions: ['sqs:GetQueueUrl', 'sqs:SendMessage'],
          resourceArns: [props.functions.resources.deadLetterQueues[queueId].queueArn],
        });
      }
      fn.function.addEventSource(
        new eventSources.SqsEventSource(queue, {
          batchSize: consumer.batchSize,
          maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
          maxConcurrency: consumer.maxConcurrency,
          reportBatchItemFailures: true,
        }),
      );
      this.consumers.push({ queueId, handler: consumer.handler, function: fn });
    }
  }
}
