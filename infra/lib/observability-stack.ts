import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TERMINAL_STATUSES } from '#shared/calls/call-status.ts';
import { CONTROL_PLANE_METRICS } from '#shared/metrics/control-plane-metrics.ts';
import { FAILED_CALL_OUTCOMES, MEDIA_METRICS, mediaDimensions } from '#shared/metrics/media-metrics.ts';
import type { QueueId } from '#shared/queues/definitions.ts';
import type { DeploymentConfig } from './config.ts';
import type { PlatformFunction } from './constructs/platform-function.ts';
import { activeCallsMetric } from './media-stack.ts';

export interface ObservabilityStackProps extends StackProps {
  config: DeploymentConfig;
  queues: Record<QueueId, sqs.IQueue>;
  deadLetterQueues: Record<QueueId, sqs.IQueue>;
  httpApi: apigw.IHttpApi;
  functions: PlatformFunction[];
  mediaService: ecs.FargateService;
  mediaTargetGroup: elbv2.ApplicationTargetGroup;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Below this many ended calls in 5 minutes the failure rate is noise, not a signal. */
const MIN_CALLS_FOR_FAILURE_RATE = 5;
const CALL_FAILURE_RATE_PERCENT = 20;

function callsEnded(stage: string, outcome: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MEDIA_METRICS.namespace,
    metricName: MEDIA_METRICS.callsEnded,
    dimensionsMap: { ...mediaDimensions(stage), [MEDIA_METRICS.outcomeDimension]: outcome },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label: outcome,
  });
}

/** A media latency metric (EMF, milliseconds) at one percentile. */
export function mediaLatency(stage: string, metricName: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MEDIA_METRICS.namespace,
    metricName,
    dimensionsMap: mediaDimensions(stage),
    statistic,
    period: FIVE_MINUTES,
    label: statistic,
  });
}

/** Every consumer's (and outcome's) series of a control-plane metric, found by its dimensions. */
function consumerSearch(stage: string, metricName: string): cloudwatch.MathExpression {
  const m = CONTROL_PLANE_METRICS;
  const dims =
    metricName === m.deadLettered
      ? `${m.serviceDimension},${m.stageDimension},${m.consumerDimension}`
      : `${m.serviceDimension},${m.stageDimension},${m.consumerDimension},${m.outcomeDimension}`;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${m.namespace},${dims}} MetricName="${metricName}" ${m.stageDimension}="${stage}"', 'Sum', 300)`,
    label: metricName,
    period: FIVE_MINUTES,
  });
}

/** Calls refused at admission, in total or for one reason (a `Reason` value); Sum per 5 minutes. */
function callsRefused(stage: string, reason?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MEDIA_METRICS.namespace,
    metricName: MEDIA_METRICS.callsRefused,
    dimensionsMap: {
      ...mediaDimensions(stage),
      ...(reason ? { [MEDIA_METRICS.reasonDimension]: reason } : {}),
    },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label: reason ?? 'refused calls',
  });
}

/** Every `Reason` series of the refused-calls metric. */
function refusalsByReason(stage: string): cloudwatch.MathExpression {
  const m = MEDIA_METRICS;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${m.namespace},${m.serviceDimension},${m.stageDimension},${m.reasonDimension}} MetricName="${m.callsRefused}" ${m.stageDimension}="${stage}"', 'Sum', 300)`,
    label: 'by reason',
    period: FIVE_MINUTES,
  });
}

/** More refusals than this in 5 minutes, twice running: tokens failing, or limits set too low. */
const REFUSED_CALLS_PER_5_MIN = 25;

/** Reply latency p90 above this for 15 minutes: callers wait in silence. */
const RESPONSE_LATENCY_P90_MS = 2_500;

/** Alarms (to an SNS topic, with an optional email subscription) and one dashboard per stage. */
export class ObservabilityStack extends Stack {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: `ai-caller ${config.stage} alarms` });
    if (config.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      created.addOkAction(new actions.SnsAction(this.alarmTopic));
      this.alarms.push(created);
      return created;
    };

    // A message in a DLQ is work that failed every retry: always worth a look.
    for (const [queueId, dlq] of Object.entries(props.deadLetterQueues)) {
      alarm(`Dlq${queueId}`, {
        alarmDescription: `Messages in the ${queueId} dead-letter queue`,
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    for (const fn of props.functions) {
      const name = fn.node.id;
      alarm(`${name}Errors`, {
        alarmDescription: `${fn.entry}: invocations failing`,
        metric: fn.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${name}Throttles`, {
        alarmDescription: `${fn.entry}: invocations throttled`,
        metric: fn.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    alarm('Api5xx', {
      alarmDescription: 'HTTP API answering 5xx',
      metric: props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const cpu = props.mediaService.metricCpuUtilization({ period: Duration.minutes(1) });
    const memory = props.mediaService.metricMemoryUtilization({ period: Duration.minutes(1) });
    for (const [id, metric, what] of [
      ['MediaCpu', cpu, 'CPU'],
      ['MediaMemory', memory, 'memory'],
    ] as const) {
      alarm(id, {
        alarmDescription: `Media service ${what} above 85% (audio stutters before autoscaling catches up)`,
        metric,
        threshold: 85,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.MISSING,
      });
    }
    alarm('MediaUnhealthyTargets', {
      alarmDescription: 'Media tasks failing the load balancer health check',
      metric: props.mediaTargetGroup.metrics.unhealthyHostCount({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const outcomes = Object.fromEntries(
      TERMINAL_STATUSES.map((status) => [status, callsEnded(config.stage, status)]),
    );
    const failedTerms = FAILED_CALL_OUTCOMES.join(' + ');
    const totalTerms = TERMINAL_STATUSES.join(' + ');
    const failureRate = new cloudwatch.MathExpression({
      expression: `IF((${totalTerms}) >= ${MIN_CALLS_FOR_FAILURE_RATE}, 100 * (${failedTerms}) / (${totalTerms}), 0)`,
      usingMetrics: outcomes,
      period: FIVE_MINUTES,
      label: 'Call failure rate (%)',
    });
    alarm('CallFailureRate', {
      alarmDescription: `More than ${CALL_FAILURE_RATE_PERCENT}% of calls ending as failed`,
      metric: failureRate,
      threshold: CALL_FAILURE_RATE_PERCENT,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    alarm('ResponseLatency', {
      alarmDescription: `Agent reply latency p90 above ${RESPONSE_LATENCY_P90_MS} ms`,
      metric: mediaLatency(config.stage, MEDIA_METRICS.responseLatency, 'p90'),
      threshold: RESPONSE_LATENCY_P90_MS,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // A task full of calls refuses the next: autoscaling is not keeping up (or has hit its maximum).
    alarm('CallsRefusedCapacity', {
      alarmDescription: 'Calls refused because every media task was full',
      metric: callsRefused(config.stage, 'capacity'),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('CallsRefused', {
      alarmDescription: `More than ${REFUSED_CALLS_PER_5_MIN} calls refused in 5 minutes (see the dashboard's reasons)`,
      metric: callsRefused(config.stage),
      threshold: REFUSED_CALLS_PER_5_MIN,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.dashboard(props, outcomes, failureRate, cpu, memory);
  }

  private dashboard(
    props: ObservabilityStackProps,
    outcomes: Record<string, cloudwatch.Metric>,
    failureRate: cloudwatch.MathExpression,
    cpu: cloudwatch.IMetric,
    memory: cloudwatch.IMetric,
  ): void {
    const { config, httpApi } = props;
    const functionSearch = (metricName: string) =>
      new cloudwatch.MathExpression({
        // Unquoted terms match name tokens: generated names start with the stack name `AiCaller-<stage>-Api`.
        expression: `SUM(SEARCH('{AWS/Lambda,FunctionName} MetricName="${metricName}" FunctionName=AiCaller FunctionName=${config.stage}', 'Sum', 300))`,
        label: metricName,
        period: FIVE_MINUTES,
      });
    const latency = (statistic: string) =>
      httpApi.metricLatency({ statistic, period: Duration.minutes(1), label: statistic });
    new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Calls in progress',
            left: [activeCallsMetric(config.stage, 'Sum').with({ label: 'live calls' })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Call outcomes (per 5 min)',
            left: Object.values(outcomes),
            stacked: true,
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Call failure rate (%)', left: [failureRate], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'API latency (ms)',
            left: [latency('p50'), latency('p90'), latency('p99')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'API requests and errors',
            left: [httpApi.metricCount({ period: Duration.minutes(1), statistic: 'Sum', label: 'requests' })],
            right: [
              httpApi.metricClientError({ period: Duration.minutes(1), statistic: 'Sum', label: '4xx' }),
              httpApi.metricServerError({ period: Duration.minutes(1), statistic: 'Sum', label: '5xx' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda errors and throttles',
            left: [functionSearch('Errors'), functionSearch('Throttles')],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queue backlog',
            left: Object.entries(props.queues).map(([id, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({ label: id, period: Duration.minutes(1) }),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queues',
            left: Object.entries(props.deadLetterQueues).map(([id, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({ label: id, period: Duration.minutes(1) }),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Media tasks CPU / memory (%)',
            left: [cpu, memory],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'First agent audio (ms)',
            left: ['p50', 'p90', 'p99'].map((p) =>
              mediaLatency(config.stage, MEDIA_METRICS.firstAudioLatency, p),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Reply latency (ms)',
            left: ['p50', 'p90', 'p99'].map((p) =>
              mediaLatency(config.stage, MEDIA_METRICS.responseLatency, p),
            ),
            right: [
              new cloudwatch.Metric({
                namespace: MEDIA_METRICS.namespace,
                metricName: MEDIA_METRICS.modelReconnects,
                dimensionsMap: mediaDimensions(config.stage),
                statistic: 'Sum',
                period: FIVE_MINUTES,
                label: 'model reconnects',
              }),
              new cloudwatch.Metric({
                namespace: MEDIA_METRICS.namespace,
                metricName: MEDIA_METRICS.callResumes,
                dimensionsMap: mediaDimensions(config.stage),
                statistic: 'Sum',
                period: FIVE_MINUTES,
                label: 'calls resumed on another task',
              }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Consumers: messages by outcome (per 5 min)',
            left: [
              consumerSearch(config.stage, CONTROL_PLANE_METRICS.messagesProcessed),
              consumerSearch(config.stage, CONTROL_PLANE_METRICS.deadLettered),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Refused calls (per 5 min)',
            left: [callsRefused(config.stage), refusalsByReason(config.stage)],
            width: 24,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
