import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(() => {
  const { stacks } = buildTestPlatform();
  api = templateWithNested(stacks.api);
  stateful = Template.fromStack(stacks.stateful);
  media = Template.fromStack(stacks.media);
  resources = api.toJSON().Resources as Record<string, Resource>;
}, SYNTH_TIMEOUT_MS);

function fn(description: string): [string, Resource] {
  const found = Object.entries(resources).find(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description,
  );
  if (!found) throw new Error(`no function described as ${description}`);
  return found;
}

function actionsOf(fnId: string, resourcePattern: RegExp): string[] {
  const role = ((resources[fnId] as Resource).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${role}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => resourcePattern.test(JSON.stringify(s.Resource)))
    .flatMap((s) => [s.Action].flat());
}

describe('knowledge bases in AWS', () => {
  it('keeps files, chunks and index versions in a private, TLS-only bucket', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'] })] },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs the crawler and publisher from their queues, the publisher on x86_64 with memory for LanceDB', () => {
    const [crawlId, crawl] = fn('Consumer of the KnowledgeCrawl queue');
    const [publishId, publish] = fn('Consumer of the KnowledgeIndex queue');
    expect(crawl.Properties).toMatchObject({ MemorySize: 1024, Architectures: ['arm64'] });
    expect(publish.Properties).toMatchObject({ MemorySize: 3008, Architectures: ['x86_64'], Timeout: 900 });
    // Least privilege: the crawler sends pages to its own queue and publish requests to the index
    // queue; both read and write the bucket; nothing else is sent anywhere.
    expect(actionsOf(crawlId, /KnowledgeCrawl[0-9A-F]{8}Arn/)).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage']),
    );
    expect(actionsOf(crawlId, /KnowledgeIndex[0-9A-F]{8}Arn/)).toContain('sqs:SendMessage');
    expect(actionsOf(crawlId, /(Summaries|Usage|CustomerWebhooks|MediaCommands)[0-9A-F]{8}Arn/)).toEqual([]);
    expect(actionsOf(publishId, /KnowledgeBucket/)).toEqual(
      expect.arrayContaining(['s3:PutObject', 's3:GetObject*', 's3:DeleteObject*', 's3:List*']),
    );
    expect(actionsOf(publishId, /KnowledgeCrawl[0-9A-F]{8}Arn/)).toEqual([]);
  });

  it('schedules the watchdog and refreshes every 5 minutes', () => {
    api.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    const [maintainId] = fn('Knowledge bases: sync watchdog and scheduled refreshes');
    expect(actionsOf(maintainId, /KnowledgeCrawl[0-9A-F]{8}Arn/)).toContain('sqs:SendMessage');
    expect(actionsOf(maintainId, /KnowledgeIndex[0-9A-F]{8}Arn/)).toContain('sqs:SendMessage');
  });

  it('gives the search route x86_64 LanceDB and the media task read-only bucket access', () => {
    const [, search] = fn('POST /v1/knowledge-bases/{id}/search');
    expect(search.Properties.Architectures).toEqual(['x86_64']);
    const [, list] = fn('GET /v1/knowledge-bases');
    expect(list.Properties.Architectures).toEqual(['arm64']);
    // Only the statements on the knowledge bucket (the task also uploads recordings elsewhere).
    const statements = Object.values(media.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    ) as { Action: string | string[]; Resource: unknown }[];
    const onKnowledge = statements.filter((s) => JSON.stringify(s.Resource).includes('KnowledgeBucket'));
    expect(onKnowledge.length).toBeGreaterThan(0);
    const actions = onKnowledge.flatMap((s) => [s.Action].flat());
    expect(actions).toContain('s3:GetObject*');
    expect(actions.filter((a) => /^s3:(Put|Delete|Abort)/.test(a))).toEqual([]);
  });
});
