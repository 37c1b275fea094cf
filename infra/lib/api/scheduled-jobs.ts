import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { ScheduledJob } from '#shared/jobs/scheduled-jobs.ts';
import type { PlatformFunction } from '../constructs/platform-function.ts';
import { createHandlerFunction, type HandlerFunctionSettings, handlerExists } from './handler-functions.ts';

export interface ScheduledJobsProps {
  jobs: readonly ScheduledJob[];
  functions: HandlerFunctionSettings;
}

/** One function per scheduled job, invoked by an EventBridge rule at the job's rate. */
export class ScheduledJobs extends Construct {
  readonly functions: PlatformFunction[] = [];

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    for (const job of props.jobs) {
      if (!handlerExists(props.functions.rootDir, job.handler)) continue;
      const declared = { entry: job.handler, grants: job.grants };
      const fn = createHandlerFunction(this, job.id, props.functions, declared, {
        description: job.description,
        timeout: Duration.seconds(job.timeoutSeconds),
      });
      new events.Rule(this, `${job.id}Schedule`, {
        schedule: events.Schedule.rate(Duration.minutes(job.everyMinutes)),
        // The next tick is the retry: every job's work is idempotent and re-read from the table.
        targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 0 })],
      });
      this.functions.push(fn);
    }
  }
}
