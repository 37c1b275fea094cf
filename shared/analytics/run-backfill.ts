import type { Db } from '../data/client.ts';
import { type BackfillJob, saveBackfillProgress } from './backfill-store.ts';
import { rebuildDay, rebuildMonth } from './rebuild-counters.ts';
import { addDays } from './time-zones.ts';

export interface BackfillRunOptions {
  /** Stop (to be continued by a new message) once this much time has passed. */
  budgetMs: number;
  now?: () => number;
  concurrency?: number;
}

/**
 * Continues a backfill from its stored position: one local day at a time (each day's buckets are
 * overwritten, so redoing a day after a crash is harmless), saving the position after every day,
 * then the month buckets of the touched months. Returns the job's state when it stopped:
 * `completed`, or `running` when the time budget ran out first.
 */
export async function runBackfill(
  db: Db,
  initial: BackfillJob,
  options: BackfillRunOptions,
): Promise<BackfillJob> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const job: BackfillJob = { ...initial, status: 'running' };
  if (initial.status !== 'running') await saveBackfillProgress(db, job.id, { status: 'running' });
  while (job.nextDay && job.nextDay <= job.to) {
    if (now() > deadline) return job;
    job.callsCounted += await rebuildDay(db, job.tenantId, job.nextDay, {
      timeZone: job.timezone,
      concurrency: options.concurrency,
    });
    job.daysDone += 1;
    job.nextDay = job.nextDay === job.to ? undefined : addDays(job.nextDay, 1);
    await saveBackfillProgress(db, job.id, {
      nextDay: job.nextDay,
      daysDone: job.daysDone,
      callsCounted: job.callsCounted,
    });
  }
  job.nextDay = undefined;
  while (job.monthsDone < job.months.length) {
    if (now() > deadline) return job;
    await rebuildMonth(db, job.tenantId, job.months[job.monthsDone] as string);
    job.monthsDone += 1;
    await saveBackfillProgress(db, job.id, { monthsDone: job.monthsDone });
  }
  job.status = 'completed';
  job.completedAt = new Date(now()).toISOString();
  await saveBackfillProgress(db, job.id, { status: 'completed', completedAt: job.completedAt });
  return job;
}

/** The months a range of days touches (`YYYY-MM`, ascending). */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = addDays(`${m}-28`, 4).slice(0, 7)) months.push(m);
  return months;
}

/** Progress as the API shows it. */
export function presentBackfill(job: BackfillJob) {
  const steps = job.daysTotal + job.months.length;
  const done = job.daysDone + job.monthsDone;
  return {
    id: job.id,
    tenantId: job.tenantId,
    from: job.from,
    to: job.to,
    timezone: job.timezone,
    status: job.status,
    daysDone: job.daysDone,
    daysTotal: job.daysTotal,
    callsCounted: job.callsCounted,
    percent: steps > 0 ? Math.floor((done / steps) * 100) : 100,
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  };
}
