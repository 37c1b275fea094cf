import {
  type CallOwner,
  claimCallOwner,
  type OwnerState,
  releaseCallOwner,
  setToolsInFlight,
} from '#shared/data/call-owners.ts';
import type { Db } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { TaskHeartbeat } from './task-heartbeat.ts';

export interface CallOwnershipOptions {
  db: Db;
  logger: Logger;
  /** This task's heartbeat: holds the call while it runs here (no per-call lease to renew). */
  heartbeat: TaskHeartbeat;
  /** Another task took the call over (or it ended elsewhere): this task must let go silently. */
  lost(): void;
}

/**
 * This task's hold on one call: claims it (a new call) or starts from the owner a takeover
 * returned (a resumed call), holds it under the task's heartbeat while the call runs, reports a
 * lost hold, and lets the call go with the state that tells the next request what to do
 * (`ended`: never resume it; `detached`/`handover`: resume it). Every write is conditional on
 * this task's generation.
 */
export class CallOwnership {
  private readonly options: CallOwnershipOptions;
  private owner: CallOwner | undefined;
  private unhold: (() => void) | undefined;
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
    const { db, heartbeat, logger } = this.options;
    try {
      const owner = await claimCallOwner(db, { ...fields, taskId: heartbeat.taskId });
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
    this.stopHolding();
    this.unhold = this.options.heartbeat.hold({
      callId: owner.callId,
      generation: owner.generation,
      lost: () => {
        if (this.released) return;
        this.abandon();
        this.options.logger.warn('call was taken over by another task; letting go');
        this.options.lost();
      },
    });
  }

  private stopHolding(): void {
    this.unhold?.();
    this.unhold = undefined;
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
    this.stopHolding();
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

  /** Stops holding without writing (the hold is already lost). */
  abandon(): void {
    this.released = true;
    this.stopHolding();
  }
}
