import { App } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#shared/http/route-table.ts';
import type { RouteDefinition } from '#shared/http/route-types.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { ApiStack } from './api-stack.ts';
import { readDeploymentConfig } from './config.ts';
import { StatefulStack } from './stateful-stack.ts';
import {
  buildTestPlatform,
  FULL_CONTEXT,
  repoRoot,
  SYNTH_TIMEOUT_MS,
  stackTemplates,
  templateWithNested,
} from '../../test/infra/test-platform-app.ts';

/** A route table entry for a hand-made table (grants as a plain API handler declares them). */
const route = (method: 'GET', path: string, file: string, auth: 'none' | 'apiKey'): RouteDefinition => ({
  method,
  path,
  handler: `functions/api/${file}.ts`,
  auth,
  grants: { table: 'write', secrets: true, sessionKeys: true },
});

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let template: Template;
let api: ApiStack;
let resources: Record<string, Resource>;

beforeAll(() => {
  const { stacks } = buildTestPlatform();
  api = stacks.api;
  template = templateWithNested(api);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, SYNTH_TIMEOUT_MS);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** The logical id of the Lambda function with this description. */
function functionId(description: string): string {
  const found = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === description);
  if (!found) throw new Error(`no function described as ${description}`);
  return found[0];
}

/** Every IAM statement attached to a function's execution role (in the main template, or `from`). */
function statementsOf(fnId: string, from: Record<string, Resource> = resources): Statement[] {
  const fn = from[fnId];
  if (!fn) throw new Error(`no resource ${fnId}`);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(from)
    .filter((p) => p.Type === 'AWS::IAM::Policy' && JSON.stringify(p.Properties.Roles).includes(`"${role}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
/** Actions granted on the queue (or table) with this construct id, referenced through a stack export. */
const actionsOn = (statements: Statement[], constructId: string) => {
  const exported = new RegExp(`GetAtt${constructId}[0-9A-F]{8}Arn`);
  return actionsOf(statements.filter((s) => exported.test(JSON.stringify(s.Resource))));
};

describe('HTTP API routes', () => {
  it('every route in the route table has a handler file', () => {
    const missing = ROUTES.map((r) => r.handler).filter((h) => api.missingHandlers.includes(h));
    expect(missing, `route handlers not written yet: ${missing.join(', ')}`).toEqual([]);
  });

  it('every route in the route table has its own route and Lambda integration', () => {
    const routeKeys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    const deployed = ROUTES.filter((r) => !api.missingHandlers.includes(r.handler));
    expect(routeKeys.sort()).toEqual(deployed.map((r) => `${r.method} ${r.path}`).sort());
    const integrations = ofType('AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(deployed.length);
    const targets = integrations.map(([, i]) => JSON.stringify(i.Properties.IntegrationUri));
    expect(new Set(targets).size).toBe(deployed.length);
    for (const route of deployed) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        Target: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      });
      expect(functionId(`${route.method} ${route.path}`)).toBeTruthy();
    }
  });

  it('puts apiKey and admin routes behind the authorizer, signature and none routes not', () => {
    const deployed = ROUTES.filter((r) => !api.missingHandlers.includes(r.handler));
    expect(deployed.some((r) => r.auth === 'signature' || r.auth === 'none')).toBe(true);
    for (const route of deployed) {
      const protectedRoute = route.auth === 'apiKey' || route.auth === 'admin';
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        AuthorizationType: protectedRoute ? 'CUSTOM' : 'NONE',
        ...(protectedRoute ? { AuthorizerId: Match.anyValue() } : {}),
      });
    }
  });

  it('has an uncached REQUEST authorizer with simple responses, so session cookies and x-api-key reach it', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: Match.absent(),
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it('gives the session keyring to the functions that verify sessions, and SES only to those that send email', () => {
    const sessionSecretExport =
      /GetAttSessionSigningKeys|RefSessionSigningKeys|SessionSigningKeys[0-9A-F]{8}/;
    for (const description of ['API key authorizer', 'GET /v1/agents', 'POST /v1/auth/sign-in']) {
      const fnId = functionId(description);
      const environment = resources[fnId]?.Properties.Environment as { Variables: Record<string, unknown> };
      expect(JSON.stringify(environment.Variables.SESSION_KEYS_SECRET_ARN), description).toMatch(
        sessionSecretExport,
      );
      const reads = statementsOf(fnId).filter((s) => sessionSecretExport.test(JSON.stringify(s.Resource)));
      expect(actionsOf(reads), description).toContain('secretsmanager:GetSecretValue');
    }
    expect(
      JSON.stringify(resources[functionId('Consumer of the Summaries queue')]?.Properties.Environment),
    ).not.toContain('SESSION_KEYS_SECRET_ARN');
    const invite = functionId('POST /v1/invitations');
    expect(actionsOf(statementsOf(invite))).toContain('ses:SendEmail');
    expect(JSON.stringify(resources[invite]?.Properties.Environment)).toContain(
      '"EMAIL_FROM":"team@example.com"',
    );
    expect(actionsOf(statementsOf(functionId('GET /v1/agents')))).not.toContain('ses:SendEmail');
  });

  it('throttles the stage and takes CORS origins from config', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://app.example.com', 'https://admin.example.com'],
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'api.example.com' });
  });

  it('outputs the URL of every provider webhook for the Twilio and Stripe consoles', () => {
    const webhooks = ROUTES.filter((r) => r.auth === 'signature' && !api.missingHandlers.includes(r.handler));
    expect(webhooks.length).toBeGreaterThan(0);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const route of webhooks) {
      const output = Object.entries(outputs).find(
        ([id]) => id.startsWith('WebhookUrl') && JSON.stringify(outputs[id]).includes(route.path),
      );
      expect(output, route.path).toBeDefined();
      expect(output?.[1].Value).toBe(`https://api.example.com${route.path}`);
    }
  });
});

describe('Lambda functions', () => {
  it('leave the API stack room under the CloudFormation limit of 500 resources', () => {
    // About 7 resources per route (function, role, policy, log group, integration, route,
    // permission): the route handlers are spread over nested stacks, each a stack of its own.
    const counts = stackTemplates(api).map((t) => Object.keys(t.toJSON().Resources ?? {}).length);
    expect(counts.length).toBeGreaterThan(1);
    for (const count of counts) expect(count, `${counts.join(', ')} resources per stack`).toBeLessThan(450);
  });

  it('all run Node.js 22 on ARM64 with source maps and a log group with retention', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(ROUTES.length - api.missingHandlers.length);
    // Field by field: the nested stacks' parameter references make whole-object matching recurse deeply.
    for (const [id, fn] of functions) {
      const p = fn.Properties as {
        Runtime?: string;
        Architectures?: string[];
        Handler?: string;
        Environment?: { Variables?: Record<string, unknown> };
        LoggingConfig?: { LogGroup?: unknown };
      };
      // LanceDB's native package ships for x86_64 Linux only: the knowledge functions that load it run there.
      const arch = /KnowledgeIndex|KnowledgeBasesIdSearch/.test(id) ? 'x86_64' : 'arm64';
      expect([p.Runtime, p.Architectures, p.Handler], id).toEqual(['nodejs22.x', [arch], 'index.handler']);
      expect(p.Environment?.Variables?.NODE_OPTIONS, id).toBe('--enable-source-maps');
      expect(p.LoggingConfig?.LogGroup, id).toBeDefined();
    }
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('never grants a wildcard action, and table actions only on the table and its indexes', () => {
    for (const [, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
        const actions = [statement.Action].flat();
        for (const action of actions) expect(action).not.toMatch(/^\*$|:\*$|^(dynamodb|sqs):[A-Za-z]*\*/);
        if (actions.some((a) => a.startsWith('dynamodb:') || a.startsWith('sqs:')))
          expect(statement.Resource).not.toBe('*');
      }
    }
  });

  it('grants each function what its code uses and nothing else', () => {
    const health = statementsOf(functionId('GET /health'));
    expect(actionsOf(health)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'sqs:GetQueueAttributes']));
    expect(actionsOf(health)).not.toContain('sqs:SendMessage');
    expect(actionsOf(health)).not.toContain('dynamodb:Scan');

    const authorizer = statementsOf(functionId('API key authorizer'));
    expect(actionsOf(authorizer)).toContain('dynamodb:GetItem');
    expect(actionsOf(authorizer)).toContain('secretsmanager:GetSecretValue');
    expect(actionsOf(authorizer).filter((a) => a.startsWith('sqs:'))).toEqual([]);

    // Escalations publish `call.escalated`, which only the webhooks queue receives.
    const escalation = statementsOf(functionId('POST /v1/calls/{id}/escalations'));
    expect(actionsOn(escalation, 'CustomerWebhooks')).toContain('sqs:SendMessage');
    expect(actionsOn(escalation, 'Summaries')).toEqual([]);
    expect(actionsOn(escalation, 'MediaCommands')).toEqual([]);

    const createCall = statementsOf(functionId('POST /v1/calls'));
    expect(actionsOn(createCall, 'MediaCommands')).toContain('sqs:SendMessage');
    expect(actionsOn(createCall, 'MediaCommands')).not.toContain('sqs:ReceiveMessage');
  });
});

describe('queue consumers', () => {
  const consumerQueues = Object.values(QUEUES).filter((q) => 'consumer' in q);

  it('every queue with a consumer has a handler file', () => {
    const missing = consumerQueues
      .map((q) => q.consumer.handler)
      .filter((h) => api.missingHandlers.includes(h));
    expect(missing, `consumer handlers not written yet: ${missing.join(', ')}`).toEqual([]);
  });

  it('feeds each consumer from its queue with partial batch responses and its limits', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(consumerQueues.length);
    for (const queue of consumerQueues) {
      const mapping = mappings.find(([, m]) =>
        JSON.stringify(m.Properties.EventSourceArn).includes(queue.id),
      );
      expect(mapping, queue.id).toBeDefined();
      expect(mapping?.[1].Properties).toMatchObject({
        BatchSize: queue.consumer.batchSize,
        MaximumBatchingWindowInSeconds: queue.consumer.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: queue.consumer.maxConcurrency },
      });
      const fnId = functionId(`Consumer of the ${queue.id} queue`);
      expect(resources[fnId]?.Properties).toMatchObject({
        Timeout: queue.consumerTimeoutSeconds,
        ReservedConcurrentExecutions: queue.consumer.maxConcurrency,
      });
      // It consumes its own queue and no other.
      const statements = statementsOf(fnId);
      expect(actionsOn(statements, queue.id)).toContain('sqs:ReceiveMessage');
      expect(actionsOn(statements, `${queue.id}Dlq`)).not.toContain('sqs:ReceiveMessage');
      for (const other of consumerQueues.filter((q) => q.id !== queue.id)) {
        expect(actionsOn(statements, other.id)).not.toContain('sqs:ReceiveMessage');
      }
    }
  });
});

describe('a route whose handler is not written yet', () => {
  it(
    'is left out of synth with a warning instead of failing it',
    () => {
      const app = new App({ context: { [BUNDLING_STACKS]: [] } });
      const config = readDeploymentConfig(
        (key) => ({ ...FULL_CONTEXT, stage: 'wip', authorizerCacheSeconds: 300, emailFrom: undefined })[key],
      );
      const stateful = new StatefulStack(app, 'Stateful', { stage: 'wip' });
      const stack = new ApiStack(app, 'Api', {
        config,
        rootDir: repoRoot,
        resources: stateful,
        routes: [
          route('GET', '/health', 'get-health', 'none'),
          // Declared read-only (the real handler writes: this checks only what CDK grants).
          { ...route('GET', '/v1/agents', 'list-agents', 'apiKey'), grants: { table: 'read' } },
          route('GET', '/v1/later', 'not-written-yet', 'apiKey'),
        ],
        queues: {},
        publicMediaUrl: 'https://media.example.com',
      });
      expect(stack.missingHandlers).toEqual(['functions/api/not-written-yet.ts']);
      Annotations.fromStack(stack).hasWarning(
        '*',
        Match.stringLikeRegexp('not-written-yet.ts does not exist'),
      );
      const wip = templateWithNested(stack);
      const routes = wip.findResources('AWS::ApiGatewayV2::Route');
      expect(Object.values(routes).map((r) => r.Properties.RouteKey)).toEqual([
        'GET /health',
        'GET /v1/agents',
      ]);
      // A cache needs an identity source every request carries: the Authorization header.
      wip.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerResultTtlInSeconds: 300,
        IdentitySource: ['$request.header.Authorization'],
      });
      // No EMAIL_FROM: no function may send email.
      const policies = JSON.stringify(wip.findResources('AWS::IAM::Policy'));
      expect(policies).not.toContain('ses:');
      // A read-only declaration is granted item reads and nothing else.
      const wipResources = wip.toJSON().Resources as Record<string, Resource>;
      const [listAgentsId = ''] =
        Object.entries(wipResources).find(([, r]) => r.Properties.Description === 'GET /v1/agents') ?? [];
      const readOnly = actionsOf(statementsOf(listAgentsId, wipResources)).filter((a) =>
        a.startsWith('dynamodb:'),
      );
      expect(readOnly.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('scheduled jobs', () => {
  it('runs the call sweeper every minute from an EventBridge rule, with table and event-queue access', () => {
    const sweeper = functionId(
      'Ends calls whose media stream never connected; re-publishes deferred call events',
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [sweeper, 'Arn'] } })]),
    });
    const actions = actionsOf(statementsOf(sweeper));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 'sqs:SendMessage']));
  });
});

describe('campaigns', () => {
  it('dispatches every minute from an EventBridge rule that may claim contacts and queue dial commands', () => {
    const dispatcher = functionId(
      'Claims due campaign contacts within their calling windows and queues their dials',
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [dispatcher, 'Arn'] } })]),
    });
    const statements = statementsOf(dispatcher);
    expect(actionsOf(statements)).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']));
    expect(actionsOn(statements, 'CampaignDials')).toContain('sqs:SendMessage');
    expect(actionsOn(statements, 'MediaCommands')).toEqual([]);
  });

  it('consumes dial commands, call outcomes and imports, each queue with its DLQ', () => {
    for (const handler of [
      'functions/consumers/dial-campaign-contact.ts',
      'functions/consumers/record-campaign-outcome.ts',
      'functions/consumers/run-contact-import.ts',
    ]) {
      const consumer = api.consumers.consumers.find((c) => c.handler === handler);
      expect(consumer?.function).toBeDefined();
      expect(consumer?.skipped).toBeUndefined();
    }
    for (const queue of [QUEUES.campaignDials, QUEUES.campaignOutcomes, QUEUES.contactImports]) {
      expect(queue.consumer).toBeDefined();
    }
  });
});
