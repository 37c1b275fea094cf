import {
  type CallOwner,
  claimCallOwner,
  type OwnerState,
  releaseCallOwner,
  renewCallLease,
  setToolsInFlight,
} from '#shared/data/call-owners.ts';
import type { Db } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';

/** How long a call's lease lasts unless renewed, and how often its task renews it. */
export interface LeaseTiming {
  leaseMs: number;
  heartbeatMs: number;
  /** How long a dropped leg may take to be reconnected before its last task ends the call. */
  detachedWindowMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  leaseMs: 15_000,
  heartbeatMs: 5_000,
  detachedWindowMs: 30_000,
};

/**
 * When this call's first renewal is due. Calls admitted in one burst (a campaign, a benchmark,
 * the calls a takeover adopts at once) would otherwise renew in the same millisecond every beat:
 * 100 conditional updates built and signed back to back block the event loop for about 100 ms,
 * which every call on the task hears as late audio. A first beat anywhere in
 * [0.5, 1.5) × heartbeat spreads the phases over one whole period, while the latest first renewal
 * (1.5 beats) still leaves the lease more than a beat to spare for one failed attempt.
 */
export function firstRenewalDelayMs(heartbeatMs: number, random: number): number {
  const unit = Math.min(Math.max(random, 0), 1 - Number.EPSILON);
  return Math.round(heartbeatMs * (0.5 + unit));
}

export interface CallOwnershipOptions {
  db: Db;
  logger: Logger;
  taskId: string;
  timing: LeaseTiming;
  /** Another task took the call over (or it ended elsewhere): this task must let go silently. */
  lost(): void;
}

/**
 * This task's hold on one call: claims it (a new call) or starts from the owner a takeover
 * returned (a resumed call), renews the lease while the call runs, reports a lost hold, and lets
 * the call go with the state that tells the next request what to do (`ended`: never resume it;
 * `detached`/`handover`: resume it). Every write is conditional on this task's generation.
 */
export class CallOwnership {
  private readonly options: CallOwnershipOptions;
  private owner: CallOwner | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firstBeat: NodeJS.Timeout | undefined;
  private released = false;

  constructor(options: CallOwnershipOptions) {
    this.options = options;
  }

  /** The ownership record as of the claim or takeover (resume counters, deadlines). */
  get current(): CallOwner | undefined {
    return this.owner;
  }

  /** First start of a call. Without a record the call still runs; it just cannot be resumed. */
  async claim(
    fields: Pick<CallOwner, 'callId' | 'tenantId' | 'provider' | 'answeredAt' | 'maxDurationAtMs'>,
  ): Promise<void> {
    const { db, taskId, timing, logger } = this.options;
    try {
      const owner = await claimCallOwner(db, { ...fields, taskId }, timing.leaseMs);
      if (!owner) {
        logger.warn('call already has an ownership record; it will not be resumable from here');
        return;
      }
      this.adopt(owner);
    } catch (error) {
      logger.warn('call ownership could not be recorded; it will not be resumable', { err: error });
    }
  }

  /** A resumed call: the takeover already made this task the owner. */
  adopt(owner: CallOwner): void {
    if (this.released) return;
    this.owner = owner;
    this.stopBeats();
    const { heartbeatMs } = this.options.timing;
    this.firstBeat = setTimeout(
      () => {
        this.firstBeat = undefined;
        void this.renew();
        this.timer = setInterval(() => void this.renew(), heartbeatMs);
        this.timer.unref();
      },
      firstRenewalDelayMs(heartbeatMs, Math.random()),
    );
    this.firstBeat.unref();
  }

  private stopBeats(): void {
    clearTimeout(this.firstBeat);
    clearInterval(this.timer);
    this.firstBeat = undefined;
    this.timer = undefined;
  }

  /** Records the tools running now (best effort: they only shape what the model hears after a resume). */
  toolsInFlight(tools: Record<string, string>): void {
    const owner = this.owner;
    if (!owner || this.released) return;
    setToolsInFlight(this.options.db, owner, tools).catch((error: unknown) =>
      this.options.logger.warn('tools in flight not recorded', { err: error }),
    );
  }

  /**
   * Lets the call go (once). Resolves false when this task no longer owned it: then it must not
   * store the call's end either. True when there was no record to release (nothing to fight over).
   */
  async release(state: Exclude<OwnerState, 'live'>, reason: string): Promise<boolean> {
    if (this.released) return true;
    this.released = true;
    this.stopBeats();
    const owner = this.owner;
    if (!owner) return true;
    try {
      const kept = await releaseCallOwner(this.options.db, owner, state, reason);
      if (!kept) this.options.logger.warn('call was owned by another task when released', { state, reason });
      return kept;
    } catch (error) {
      this.options.logger.error('call ownership could not be released', { err: error, state });
      return true;
    }
  }

  /** Stops renewing without writing (the hold is already lost). */
  abandon(): void {
    this.released = true;
    this.stopBeats();
  }

  private async renew(): Promise<void> {
    const owner = this.owner;
    if (!owner || this.released) return;
    try {
      const kept = await renewCallLease(this.options.db, owner, this.options.timing.leaseMs);
      if (!kept && !this.released) {
        this.abandon();
        this.options.logger.warn('call was taken over by another task; letting go');
        this.options.lost();
      }
    } catch (error) {
      // A failed renewal is retried at the next beat; the lease outlasts a few misses.
      this.options.logger.warn('call lease not renewed', { err: error });
    }
  }
}
