import './quiet-warnings.ts';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../infra/local/dynamodb-local.ts';
import { startSqsLocal } from '../infra/local/sqs-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

/** One DynamoDB Local and one SQS server for the whole run; each test file gets its own table and queues. */
export default async function setup(project: TestProject) {
  const [dynamo, sqs] = await Promise.all([startDynamoLocal(), startSqsLocal()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}
