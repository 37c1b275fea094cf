import { SQSClient } from '@aws-sdk/client-sqs';
import { configSource } from '../config/config-source.ts';

let processClient: SQSClient | undefined;

/**
 * The SQS client. Local emulators return queue URLs on hosts that do not resolve, so the endpoint
 * must be set on the client explicitly (an endpoint in the environment alone is not enough).
 */
export function createSqsClient(options: { endpoint?: string; region?: string } = {}): SQSClient {
  return new SQSClient({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    ...(options.endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

export function sqsFromEnv(env: Record<string, string | undefined> = configSource()): SQSClient {
  processClient ??= createSqsClient({
    endpoint: env.SQS_ENDPOINT || undefined,
    region: env.AWS_REGION || undefined,
  });
  return processClient;
}
export function resetSqsCache(): void {
  processClient = undefined;
}
