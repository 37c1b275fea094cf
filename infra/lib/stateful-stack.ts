import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TableDefinition } from '#shared/data/table.ts';
import { MAIN_TABLE } from '#shared/data/table.ts';
import { EXPORT_RETENTION_DAYS } from '#shared/exports/run-export.ts';
import { RETENTION_TAG, recordingLifecycleRules } from '#shared/recordings/recording-lifecycle.ts';
import { QUEUES, type QueueId } from '#shared/queues/definitions.ts';

export interface StatefulStackProps extends StackProps {
  stage: string;
}

/** Builds a DynamoDB table from the shared definition (the same one the local bootstrap uses). */
function tableFromDefinition(scope: Construct, def: TableDefinition, retain: boolean): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, def.id, {
    partitionKey: { name: def.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: def.sortKey, type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    timeToLiveAttribute: def.ttlAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: retain,
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    globalSecondaryIndexes: def.indexes.map((index) => ({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    })),
  });
}

/**
 * Everything with state: the table, the queues with their DLQs, the secret. Kept apart from the
 * stateless stacks so those can be replaced freely; logical ids here must never change.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly queues: Record<QueueId, sqs.Queue>;
  readonly deadLetterQueues: Record<QueueId, sqs.Queue>;
  readonly secret: secretsmanager.Secret;
  readonly knowledgeBucket: s3.Bucket;
  readonly sessionKeysSecret: secretsmanager.Secret;
  readonly exportsBucket: s3.Bucket;
  readonly recordingsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const retain = props.stage === 'prod';
    this.table = tableFromDefinition(this, MAIN_TABLE, retain);

    const queues = {} as Record<QueueId, sqs.Queue>;
    const dlqs = {} as Record<QueueId, sqs.Queue>;
    // A DLQ holds the only copy of a failed message, so prod keeps queues when the stack goes.
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    for (const [key, def] of Object.entries(QUEUES) as [QueueId, (typeof QUEUES)[QueueId]][]) {
      const dlq = new sqs.Queue(this, `${def.id}Dlq`, {
        // The maximum, so an incident over a long weekend loses nothing.
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy,
      });
      queues[key] = new sqs.Queue(this, def.id, {
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy,
      });
      dlqs[key] = dlq;
    }
    this.queues = queues;
    this.deadLetterQueues = dlqs;

    // One JSON secret; its keys are the names in shared/config/secrets.ts. Values are set after deploy.
    this.secret = new secretsmanager.Secret(this, 'PlatformSecrets', {
      description:
        'ai-caller secrets: OPENAI_API_KEY, TWILIO_AUTH_TOKEN, ARI_PASSWORD, STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET, ADMIN_API_KEY, INTERNAL_SIGNING_KEY, ASTERISK_PERCALL_PASSWORD (per-call Asterisk only)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'INTERNAL_SIGNING_KEY',
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // The session signing keyring `{"current":kid, kid:secret}`: rotate by adding a kid and moving
    // `current` to it; remove the old kid 15 minutes later (shared/people/signing-keys.ts).
    this.sessionKeysSecret = new secretsmanager.Secret(this, 'SessionSigningKeys', {
      description: 'ai-caller session signing keys: {"current":"<kid>","<kid>":"<secret of 32+ bytes>"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new CfnOutput(this, 'SecretArn', {
      value: this.secret.secretArn,
      description: 'Platform secret: set its keys before deploying the media stack',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });

    // Knowledge bases: uploaded files, embedded chunks and LanceDB index versions (tenant-first keys).
    this.knowledgeBucket = new s3.Bucket(this, 'KnowledgeBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: false,
      // Browsers upload files with the presigned PUTs the API hands out.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: ['*'],
          allowedHeaders: ['content-type', 'content-length'],
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
    });

    // Call exports: private, encrypted, TLS only; files expire, unfinished uploads are dropped.
    this.exportsBucket = new s3.Bucket(this, 'ExportsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // The console PUTs CSV imports (imports/*) with the presigned URLs the API hands out.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: ['*'],
          allowedHeaders: ['content-type', 'content-length'],
        },
      ],
      lifecycleRules: [
        {
          id: 'expire-exports',
          prefix: 'exports/',
          expiration: Duration.days(EXPORT_RETENTION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // CSV imports and their error reports are working files: a week is plenty.
        { id: 'expire-imports', prefix: 'imports/', expiration: Duration.days(7) },
      ],
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Call recordings: private, encrypted, TLS only. Each object is tagged with its retention and
    // expires by the matching rule; uploads a dead media task left open are aborted after a day.
    this.recordingsBucket = new s3.Bucket(this, 'RecordingsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: recordingLifecycleRules().map((rule) => ({
        id: rule.id,
        ...(rule.tagValue ? { tagFilters: { [RETENTION_TAG]: rule.tagValue } } : { prefix: 'recordings/' }),
        ...(rule.expirationDays ? { expiration: Duration.days(rule.expirationDays) } : {}),
        ...(rule.abortIncompleteUploadDays
          ? { abortIncompleteMultipartUploadAfter: Duration.days(rule.abortIncompleteUploadDays) }
          : {}),
      })),
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}
