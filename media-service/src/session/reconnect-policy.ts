/** How a call retries its model socket; data, so tests and operators can tune it. */
export interface ReconnectPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A gap longer than this is mentioned to the caller once the model is back. */
  noticeableGapMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 3_000,
  noticeableGapMs: 1_500,
};

/** Delay before attempt `attempt` (1-based): the first retry is immediate, then exponential. */
export function reconnectDelayMs(attempt: number, policy: ReconnectPolicy): number {
  if (attempt <= 1) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 2));
}

/**
 * Whether a model socket close means "stop": policy violations and auth failures are fatal;
 * 1001 with the 60-minute message is the session limit and is recovered like any drop.
 */
export function isFatalClose(code: number): boolean {
  return code === 1008 || code === 4001 || code === 4003;
}
