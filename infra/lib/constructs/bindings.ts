import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { QueueDefinition } from '#shared/queues/definitions.ts';

/**
 * Something that runs platform code: a Lambda function or an ECS container. A binding sets the
 * environment variable the code reads AND grants exactly the actions that code performs, in one
 * call, so the two cannot drift apart.
 */
export interface Bindable {
  readonly grantPrincipal: iam.IPrincipal;
  addEnvironment(name: string, value: string): void;
}

export interface TableLike {
  readonly tableName: string;
  readonly tableArn: string;
}

/** Item reads: what a handler that never writes needs (no Scan: nothing in the platform scans). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;

/**
 * Item-level data actions the repositories use (transactions are authorised per item action).
 * No Scan, no streams, no table management: nothing in the platform scans the table.
 */
export const TABLE_DATA_ACTIONS = [
  ...TABLE_READ_ACTIONS,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export type QueueAccess = 'send' | 'consume' | 'probe';

export const QUEUE_ACTIONS: Readonly<Record<QueueAccess, readonly string[]>> = {
  send: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
  consume: [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueAttributes',
  ],
  probe: ['sqs:GetQueueAttributes'],
};

/** TABLE_NAME plus item reads, or reads and writes, on the table and its indexes. */
export function bindTable(target: Bindable, table: TableLike, access: 'read' | 'write' = 'write'): void {
  target.addEnvironment('TABLE_NAME', table.tableName);
  iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: target.grantPrincipal },
    actions: access === 'read' ? [...TABLE_READ_ACTIONS] : [...TABLE_DATA_ACTIONS],
    resourceArns: [table.tableArn, `${table.tableArn}/index/*`],
  });
}

/** The queue's URL variable (from the shared definition) plus the actions for one kind of use. */
export function bindQueue(
  target: Bindable,
  definition: Pick<QueueDefinition, 'urlEnv'>,
  queue: sqs.IQueue,
  access: QueueAccess,
): void {
  target.addEnvironment(definition.urlEnv, queue.queueUrl);
  iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: target.grantPrincipal },
    actions: [...QUEUE_ACTIONS[access]],
    resourceArns: [queue.queueArn],
  });
}

/** SESSION_KEYS_SECRET_ARN plus read access to the session signing keyring (shared/people/signing-keys.ts). */
export function bindSessionKeys(target: Bindable, secret: secretsmanager.ISecret): void {
  target.addEnvironment('SESSION_KEYS_SECRET_ARN', secret.secretArn);
  secret.grantRead(target.grantPrincipal);
}

/**
 * EMAIL_FROM plus permission to send through SES (v2 `SendEmail` authorises as `ses:SendEmail`)
 * from verified identities of this account and region.
 */
export function bindEmailSender(target: Bindable, from: string, identityArnPrefix: string): void {
  target.addEnvironment('EMAIL_FROM', from);
  iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: target.grantPrincipal },
    actions: ['ses:SendEmail'],
    resourceArns: [`${identityArnPrefix}identity/*`, `${identityArnPrefix}configuration-set/*`],
  });
}

/** SECRETS_ARN plus read access to that one secret (`shared/config/secrets.ts` reads it at run time). */
export function bindSecret(target: Bindable, secret: secretsmanager.ISecret): void {
  target.addEnvironment('SECRETS_ARN', secret.secretArn);
  secret.grantRead(target.grantPrincipal);
}

/**
 * KNOWLEDGE_BUCKET plus object access: `read` for retrieval (media tasks), `readWrite` for the
 * functions that store uploads, chunks and index versions (listing included: index versions are
 * copied by prefix, deleted bases purged by prefix).
 */
export function bindKnowledgeBucket(
  target: Bindable,
  bucket: s3.IBucket,
  access: 'read' | 'readWrite',
): void {
  target.addEnvironment('KNOWLEDGE_BUCKET', bucket.bucketName);
  if (access === 'read') bucket.grantRead(target.grantPrincipal);
  else {
    bucket.grantReadWrite(target.grantPrincipal);
    bucket.grantDelete(target.grantPrincipal);
  }
}

/**
 * The exports bucket's name plus object read/write (multipart included) under `exports/`, and
 * under `imports/` (CSV uploads of contacts and do-not-call numbers, and their error reports).
 */
export function bindExportsBucket(target: Bindable, bucket: s3.IBucket): void {
  target.addEnvironment('EXPORTS_BUCKET', bucket.bucketName);
  iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: target.grantPrincipal },
    actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
    resourceArns: [bucket.arnForObjects('exports/*'), bucket.arnForObjects('imports/*')],
  });
}

/**
 * RECORDINGS_BUCKET plus what each user of it does, on `recordings/*` only: the media task
 * `record`s (multipart upload, tagged with the retention), the API plays back and deletes, the
 * sweeper `finish`es uploads of dead tasks (complete or abort, rewrite the header by copy). The
 * recorder and the sweeper may also delete tail checkpoints (`<recording key>.tail/*`), and only
 * those: they are deleted once the audio is in a part (docs/recording.md).
 */
export function bindRecordingsBucket(
  target: Bindable,
  bucket: s3.IBucket,
  access: 'record' | 'playback' | 'finish',
): void {
  target.addEnvironment('RECORDINGS_BUCKET', bucket.bucketName);
  const actions = {
    record: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
    playback: ['s3:GetObject', 's3:DeleteObject'],
    finish: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'],
  }[access];
  iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: target.grantPrincipal },
    actions,
    resourceArns: [bucket.arnForObjects('recordings/*')],
  });
  if (access === 'playback') return;
  iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: target.grantPrincipal },
    actions: ['s3:DeleteObject'],
    resourceArns: [bucket.arnForObjects(RECORDING_TAILS_PATTERN)],
  });
}

/** Tail checkpoint objects of any recording (shared/recordings/tail-checkpoints.ts). */
const RECORDING_TAILS_PATTERN = 'recordings/*.tail/*';
