import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_DAYS } from '#shared/recordings/recording-types.ts';
import {
  buildTestPlatform,
  SYNTH_TIMEOUT_MS,
  templateWithNested,
} from '../../test/infra/test-platform-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

let api: Template;
let stateful: Template;
let media: Template;
let resources: Record<string, Resource>;
let bucketId: string;

beforeAll(() => {
  const { stacks } = buildTestPlatform();
  api = templateWithNested(stacks.api);
  stateful = Template.fromStack(stacks.stateful);
  media = Template.fromStack(stacks.media);
  resources = api.toJSON().Resources as Record<string, Resource>;
  const buckets = stateful.findResources('AWS::S3::Bucket');
  bucketId = Object.keys(buckets).find((id) => id.startsWith('RecordingsBucket')) as string;
}, SYNTH_TIMEOUT_MS);

/** Actions granted to a role on the recordings bucket's objects under `path` (exactly). */
function recordingActions(policies: Resource[], role: string, path = 'recordings/*'): string[] {
  return policies
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${role}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter(
      (s) =>
        JSON.stringify(s.Resource).includes(bucketId) && JSON.stringify(s.Resource).includes(`"/${path}"`),
    )
    .flatMap((s) => [s.Action].flat())
    .sort();
}

function functionActions(description: string, path?: string): string[] {
  const found = Object.values(resources).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description,
  );
  if (!found) throw new Error(`no function described as ${description}`);
  const role = (found.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return recordingActions(
    Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'),
    role,
    path,
  );
}

describe('call recordings in AWS', () => {
  it('keeps recordings in a private, encrypted, TLS-only bucket', () => {
    expect(bucketId).toBeDefined();
    const bucket = stateful.toJSON().Resources[bucketId] as Resource;
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('aborts unfinished uploads after a day and expires each recording by its retention tag', () => {
    const rules = (
      (stateful.toJSON().Resources[bucketId] as Resource).Properties.LifecycleConfiguration as {
        Rules: Record<string, unknown>[];
      }
    ).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      }),
    );
    for (const days of RETENTION_DAYS) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          ExpirationInDays: days,
          TagFilters: [{ Key: 'retention-days', Value: String(days) }],
          Status: 'Enabled',
        }),
      );
    }
  });

  it('lets the media task upload, the API play back and delete, the sweeper finish; nothing more', () => {
    const taskRole = Object.entries(media.findResources('AWS::ECS::TaskDefinition'))
      .map(([, r]) => (r as Resource).Properties.TaskRoleArn as { 'Fn::GetAtt': [string] })
      .map((arn) => arn['Fn::GetAtt'][0])[0] as string;
    const mediaPolicies = Object.values(media.findResources('AWS::IAM::Policy')) as Resource[];
    expect(recordingActions(mediaPolicies, taskRole)).toEqual([
      's3:AbortMultipartUpload',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    expect(functionActions('GET /v1/calls/{id}/recording')).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(functionActions('DELETE /v1/calls/{id}/recording')).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(functionActions('Completes or aborts the recordings of calls whose media task died')).toEqual([
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    expect(functionActions('GET /v1/calls/{id}')).toEqual([]);
  });

  it('lets the media task and the sweeper delete tail checkpoints, and nothing else under recordings/', () => {
    const taskRole = Object.entries(media.findResources('AWS::ECS::TaskDefinition'))
      .map(([, r]) => (r as Resource).Properties.TaskRoleArn as { 'Fn::GetAtt': [string] })
      .map((arn) => arn['Fn::GetAtt'][0])[0] as string;
    const mediaPolicies = Object.values(media.findResources('AWS::IAM::Policy')) as Resource[];
    expect(recordingActions(mediaPolicies, taskRole, 'recordings/*.tail/*')).toEqual(['s3:DeleteObject']);
    expect(
      functionActions(
        'Completes or aborts the recordings of calls whose media task died',
        'recordings/*.tail/*',
      ),
    ).toEqual(['s3:DeleteObject']);
    expect(functionActions('GET /v1/calls/{id}/recording', 'recordings/*.tail/*')).toEqual([]);
  });
});
