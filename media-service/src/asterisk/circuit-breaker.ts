/**
 * A circuit breaker around ARI REST: after `failureThreshold` consecutive transport failures
 * (Asterisk unreachable or not answering in time) calls fail fast for `openMs`, then one trial
 * call is let through (half-open); its success closes the circuit, its failure opens it again.
 * An answer from Asterisk, even a 4xx, is a success: the server is alive.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSnapshot {
  state: BreakerState;
  failures: number;
  openedAt?: number;
}

export interface BreakerPolicy {
  failureThreshold: number;
  openMs: number;
}

export type BreakerInput =
  | { kind: 'success' }
  | { kind: 'failure'; at: number }
  | { kind: 'probe'; at: number };

/** The state machine: pure, so every transition is table-tested. */
export function nextBreakerState(
  current: BreakerSnapshot,
  input: BreakerInput,
  policy: BreakerPolicy,
): BreakerSnapshot {
  switch (input.kind) {
    case 'success':
      return { state: 'closed', failures: 0 };
    case 'failure': {
      if (current.state === 'half_open')
        return { state: 'open', failures: current.failures + 1, openedAt: input.at };
      const failures = current.failures + 1;
      return failures >= policy.failureThreshold
        ? { state: 'open', failures, openedAt: input.at }
        : { state: current.state, failures };
    }
    case 'probe':
      if (current.state === 'open' && input.at - (current.openedAt ?? 0) >= policy.openMs) {
        return { ...current, state: 'half_open' };
      }
      return current;
  }
}

export class CircuitOpenError extends Error {
  constructor() {
    super('Asterisk is unreachable; ARI calls are paused.');
    this.name = 'CircuitOpenError';
  }
}

export class CircuitBreaker {
  readonly #policy: BreakerPolicy;
  readonly #now: () => number;
  #snapshot: BreakerSnapshot = { state: 'closed', failures: 0 };
  #trialInFlight = false;

  constructor(policy: BreakerPolicy, now: () => number = Date.now) {
    this.#policy = policy;
    this.#now = now;
  }

  get snapshot(): BreakerSnapshot {
    return this.#snapshot;
  }

  /** Runs `call`; `isFailure` decides whether an error counts against the server. */
  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    this.#snapshot = nextBreakerState(this.#snapshot, { kind: 'probe', at: this.#now() }, this.#policy);
    if (this.#snapshot.state === 'open') throw new CircuitOpenError();
    const trial = this.#snapshot.state === 'half_open';
    if (trial && this.#trialInFlight) throw new CircuitOpenError();
    this.#trialInFlight = trial;
    try {
      const result = await call();
      this.#snapshot = nextBreakerState(this.#snapshot, { kind: 'success' }, this.#policy);
      return result;
    } catch (error) {
      const input: BreakerInput = isFailure(error)
        ? { kind: 'failure', at: this.#now() }
        : { kind: 'success' };
      this.#snapshot = nextBreakerState(this.#snapshot, input, this.#policy);
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  /** The events socket reconnected: Asterisk is back, stop failing fast. */
  reset(): void {
    this.#snapshot = { state: 'closed', failures: 0 };
  }
}
