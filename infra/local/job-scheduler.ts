import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ScheduledJob } from '#shared/jobs/scheduled-jobs.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { lambdaContext, loadHandler } from './lambda-context.ts';

export interface JobScheduler {
  stop(): Promise<void>;
}

/**
 * The local stand-in for EventBridge schedules: each job's handler runs in-process every
 * `everyMinutes` (or `intervalMs`), one run at a time; a failed run is logged and the next tick
 * tries again, as in AWS.
 */
export function startJobScheduler(options: {
  jobs: readonly ScheduledJob[];
  rootDir: string;
  logger: Logger;
  intervalMs?: number;
}): JobScheduler {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const job of options.jobs) {
    if (!existsSync(join(options.rootDir, job.handler))) {
      options.logger.warn('scheduled job handler missing; not run', { job: job.id });
      continue;
    }
    const run = async () => {
      const handler = await loadHandler(options.rootDir, job.handler);
      await handler(
        { source: 'local.scheduler', 'detail-type': 'Scheduled Event' },
        lambdaContext(job.handler, job.timeoutSeconds * 1000),
      );
    };
    const tick = () => {
      if (stopped) return;
      const pending = run()
        .catch((err: unknown) => options.logger.error('scheduled job failed', { job: job.id, err }))
        .finally(() => {
          running.delete(pending);
          if (!stopped)
            timers.push(
              setTimeout(tick, options.intervalMs ?? job.localEveryMs ?? job.everyMinutes * 60_000),
            );
        });
      running.add(pending);
    };
    timers.push(setTimeout(tick, options.intervalMs ?? job.localEveryMs ?? job.everyMinutes * 60_000));
  }
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...running]);
    },
  };
}
