import { dbFromEnv } from '#shared/data/client.ts';
import { checkDynamo, checkQueue, overall, runCheck } from '#shared/health/checks.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { httpHandler } from '../lib/http-handler.ts';

/** GET /health: real reads against DynamoDB and SQS; 503 when either is down. */
export const handler = httpHandler(
  async () => {
    const queueUrl = queueUrlsFromEnv().summaries ?? Object.values(queueUrlsFromEnv())[0];
    const [dynamodb, sqs] = await Promise.all([
      runCheck(checkDynamo(dbFromEnv())),
      queueUrl
        ? runCheck(checkQueue(sqsFromEnv(), queueUrl))
        : Promise.resolve({ status: 'down' as const, latencyMs: 0, error: 'not_configured' }),
    ]);
    const checks = { dynamodb, sqs };
    const status = overall(checks);
    return { status: status === 'ok' ? 200 : 503, body: { status, checks } };
  },
  { auth: 'none' },
);
