import { App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN_TABLE } from '#shared/data/table.ts';
import { ALL_QUEUES } from '#shared/queues/definitions.ts';
import { StatefulStack } from './stateful-stack.ts';
import { SYNTH_TIMEOUT_MS } from '../../test/infra/test-platform-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

let dev: Template;
let prod: Template;

beforeAll(() => {
  const app = new App();
  const devStack = new StatefulStack(app, 'Dev', { stage: 'dev' });
  const prodStack = new StatefulStack(app, 'Prod', { stage: 'prod' });
  dev = Template.fromStack(devStack);
  prod = Template.fromStack(prodStack);
}, SYNTH_TIMEOUT_MS);

describe('the table', () => {
  it('has point-in-time recovery, TTL and on-demand billing', () => {
    dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: MAIN_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: MAIN_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: MAIN_TABLE.ttlAttribute, Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('has exactly the GSIs declared in the shared table definition', () => {
    const table = Object.values(dev.findResources('AWS::DynamoDB::GlobalTable'))[0] as Resource;
    const indexes = table.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: { AttributeName: string; KeyType: string }[];
      Projection: { ProjectionType: string };
    }[];
    expect(indexes.map((i) => i.IndexName)).toEqual(MAIN_TABLE.indexes.map((i) => i.name));
    for (const declared of MAIN_TABLE.indexes) {
      const index = indexes.find((i) => i.IndexName === declared.name);
      expect(index?.KeySchema).toEqual([
        { AttributeName: declared.partitionKey, KeyType: 'HASH' },
        { AttributeName: declared.sortKey, KeyType: 'RANGE' },
      ]);
      expect(index?.Projection).toEqual({ ProjectionType: 'ALL' });
    }
  });

  it('is deletion-protected and retained in prod only', () => {
    prod.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
      }),
    });
    dev.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
      }),
    });
  });
});

describe('the queues', () => {
  it('has a queue and a dead-letter queue per shared definition', () => {
    dev.resourceCountIs('AWS::SQS::Queue', ALL_QUEUES.length * 2);
  });

  it('sends every queue to its own DLQ after its maxReceiveCount', () => {
    const queues = dev.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    for (const definition of ALL_QUEUES) {
      const [queueId, queue] = Object.entries(queues).find(
        ([id, q]) => id.startsWith(definition.id) && !id.startsWith(`${definition.id}Dlq`) && q,
      ) as [string, Resource];
      expect(queue.Properties, queueId).toMatchObject({
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          maxReceiveCount: definition.maxReceiveCount,
          deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(`^${definition.id}Dlq`), 'Arn'] },
        },
      });
      // AWS advises a visibility timeout of at least six times the consumer's timeout.
      expect(definition.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
        6 * definition.consumerTimeoutSeconds,
      );
    }
    const dlqs = Object.entries(queues).filter(([id]) => /Dlq[0-9A-F]{8}$/.test(id));
    expect(dlqs).toHaveLength(ALL_QUEUES.length);
    for (const [, dlq] of dlqs)
      expect(dlq.Properties.MessageRetentionPeriod).toBe(Duration.days(14).toSeconds());
  });

  it('keeps queues and DLQs when a prod stack is deleted', () => {
    for (const queue of Object.values(prod.findResources('AWS::SQS::Queue')) as Resource[])
      expect(queue.DeletionPolicy).toBe('Retain');
  });

  it('only accepts TLS connections to the queues', () => {
    dev.resourceCountIs('AWS::SQS::QueuePolicy', ALL_QUEUES.length * 2);
    dev.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the secret', () => {
  it('is one JSON secret with a generated internal signing key', () => {
    // The platform secret and the session signing keyring (rotated on its own).
    dev.resourceCountIs('AWS::SecretsManager::Secret', 2);
    dev.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        GenerateStringKey: 'k1',
        SecretStringTemplate: '{"current":"k1"}',
      }),
    });
    dev.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'INTERNAL_SIGNING_KEY' }),
    });
  });
});

describe('the exports bucket', () => {
  it('is encrypted, private, TLS-only and expires exports and CSV imports', () => {
    dev.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Prefix: 'exports/',
            ExpirationInDays: 7,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
          Match.objectLike({ Prefix: 'imports/', ExpirationInDays: 7, Status: 'Enabled' }),
        ],
      },
    });
    dev.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has the exports queue with a dead-letter queue', () => {
    const queues = dev.findResources('AWS::SQS::Queue');
    const exportsQueue = Object.entries(queues).find(
      ([id]) => id.startsWith('CallExports') && !id.includes('Dlq'),
    );
    expect(exportsQueue?.[1].Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
  });
});
