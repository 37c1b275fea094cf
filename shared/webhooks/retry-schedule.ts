/**
 * Delays between customer webhook attempts, in seconds: quick retries for blips, then spaced out
 * (exponential, capped at 2 h). Twenty attempts (the queue's maxReceiveCount) span about 25 h,
 * after which the message goes to the dead-letter queue. SQS caps one visibility timeout at 12 h.
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE: readonly number[] = [
  5, 30, 120, 300, 900, 1800, 3600, 3600, 7200, 7200, 7200, 7200, 7200, 7200, 7200, 7200, 7200, 7200, 7200,
];

export const MAX_VISIBILITY_SECONDS = 12 * 3600;

/** Delay after the `attempt`-th failed attempt (1-based); the last entry repeats. */
export function retryDelaySeconds(
  attempt: number,
  schedule: readonly number[] = DEFAULT_WEBHOOK_RETRY_SCHEDULE,
): number {
  if (schedule.length === 0) return 0;
  const index = Math.min(Math.max(1, Math.floor(attempt)), schedule.length) - 1;
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, schedule[index] ?? 0));
}

/** Exponential backoff for model retries: base × 2^(attempt−1), capped. 0 base means "queue default". */
export function exponentialDelaySeconds(attempt: number, baseSeconds: number, capSeconds = 900): number {
  if (baseSeconds <= 0) return 0;
  return Math.min(
    capSeconds,
    MAX_VISIBILITY_SECONDS,
    baseSeconds * 2 ** Math.max(0, Math.floor(attempt) - 1),
  );
}

/** Is a response status worth retrying? 2xx is success; 410 Gone means "stop sending". */
export function deliveryOutcome(status: number): 'delivered' | 'retry' | 'gone' {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}
