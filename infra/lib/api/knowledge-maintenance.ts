import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { PlatformFunction } from '../constructs/platform-function.ts';
import type { HandlerAccess } from '../handler-access.ts';
import { createHandlerFunction, type HandlerFunctionSettings } from './handler-functions.ts';

export const KNOWLEDGE_MAINTENANCE_HANDLER = 'functions/jobs/maintain-knowledge-bases.ts';

/**
 * The knowledge-base schedule: every 5 minutes one function finishes stalled syncs (the
 * watchdog) and starts the daily/weekly refreshes that are due. A rate, not a cron per base, so
 * a base's refresh time follows its last sync and many bases spread over the day.
 */
export class KnowledgeMaintenance extends Construct {
  readonly function: PlatformFunction;

  constructor(
    scope: Construct,
    id: string,
    props: { functions: HandlerFunctionSettings; access: HandlerAccess },
  ) {
    super(scope, id);
    this.function = createHandlerFunction(this, 'Function', props.functions, props.access, {
      description: 'Knowledge bases: sync watchdog and scheduled refreshes',
      timeout: Duration.minutes(2),
    });
    new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.function.function, { retryAttempts: 2 })],
    });
  }
}
