import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * The dead-letter queue of `queueUrl`, read from its redrive policy (the same policy that moves a
 * message after maxReceiveCount receives), so consumers need no extra configuration for it.
 */
export function deadLetterQueue(sqs: SQSClient, queueUrl: string) {
  let resolved: Promise<string> | undefined;
  const resolve = async (): Promise<string> => {
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    const policy = JSON.parse(attrs.Attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string };
    const name = policy.deadLetterTargetArn?.split(':').at(-1);
    if (!name) throw new Error('The queue has no dead-letter queue');
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!out.QueueUrl) throw new Error('The dead-letter queue was not found');
    return out.QueueUrl;
  };
  return {
    /** Sends a message body to the DLQ now (for messages no retry can fix). */
    async send(body: string, reason: string): Promise<void> {
      resolved ??= resolve().catch((error) => {
        resolved = undefined;
        throw error;
      });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: await resolved,
          MessageBody: body,
          MessageAttributes: { deadLetterReason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
        }),
      );
    },
  };
}
