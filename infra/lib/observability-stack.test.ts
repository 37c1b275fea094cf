import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_QUEUES } from '#shared/queues/definitions.ts';
import type { PlatformStacks } from './platform-app.ts';
import { buildTestPlatform, SYNTH_TIMEOUT_MS } from '../../test/infra/test-platform-app.ts';

type Alarm = { Type: string; Properties: Record<string, unknown> };

let template: Template;
let stacks: PlatformStacks;
let alarms: Alarm[];

beforeAll(() => {
  stacks = buildTestPlatform().stacks;
  template = Template.fromStack(stacks.observability);
  alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
}, SYNTH_TIMEOUT_MS);

const alarmsOn = (metricName: string) => alarms.filter((a) => a.Properties.MetricName === metricName);

describe('alarms', () => {
  it('watch every dead-letter queue for a single message', () => {
    const dlqAlarms = alarmsOn('ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(ALL_QUEUES.length);
    for (const definition of ALL_QUEUES) {
      const alarm = dlqAlarms.find((a) =>
        new RegExp(`${definition.id}Dlq[0-9A-F]{8}QueueName`).test(JSON.stringify(a.Properties.Dimensions)),
      );
      expect(alarm, definition.id).toBeDefined();
      expect(alarm?.Properties).toMatchObject({ Threshold: 1, Namespace: 'AWS/SQS' });
    }
  });

  it('watch errors and throttles of every Lambda function', () => {
    const functions = stacks.api.functions;
    expect(functions.length).toBeGreaterThan(3);
    expect(alarmsOn('Errors')).toHaveLength(functions.length);
    expect(alarmsOn('Throttles')).toHaveLength(functions.length);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [Match.objectLike({ Name: 'FunctionName' })],
    });
  });

  it('watch API 5xx, media CPU and memory, unhealthy media targets', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
    });
    for (const metricName of ['CPUUtilization', 'MemoryUtilization']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ECS',
        MetricName: metricName,
        Threshold: 85,
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'UnHealthyHostCount',
    });
  });

  it('watch the call failure rate from the media service outcome counter', () => {
    const failureRate = alarms.find((a) =>
      JSON.stringify(a.Properties.Metrics ?? '').includes('100 * (failed)'),
    );
    expect(failureRate).toBeDefined();
    const metrics = failureRate?.Properties.Metrics as {
      Id: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string } };
    }[];
    const counted = metrics
      .filter((m) => m.MetricStat)
      .map((m) => m.Id)
      .sort();
    expect(counted).toEqual(['busy', 'canceled', 'completed', 'failed', 'no_answer']);
    for (const m of metrics.filter((x) => x.MetricStat))
      expect(m.MetricStat?.Metric).toMatchObject({ Namespace: 'AiCaller/Media', MetricName: 'CallsEnded' });
  });

  it('notify one SNS topic, with the configured email subscribed', () => {
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('the dashboard', () => {
  it('shows calls in progress, call outcomes and API latency', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as Alarm;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Calls in progress', 'Call outcomes', 'API latency', 'Dead-letter queues'])
      expect(body).toContain(title);
    expect(body).toContain('ActiveCalls');
    expect(body).toMatch(/Latency.*p99/);
  });
});
