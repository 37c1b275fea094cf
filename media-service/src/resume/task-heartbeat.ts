import { getCallOwner } from '#shared/data/call-owners.ts';
import type { Db } from '#shared/data/client.ts';
import { beatTask, listTaskCalls } from '#shared/data/task-liveness.ts';
import type { Logger } from '#shared/logging/logger.ts';

/** How long a task counts as alive after a beat, how often it beats, and the detached window. */
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

/** A call this task holds: the generation it holds it at, and what to do if it lost it. */
export interface HeldCall {
  callId: string;
  generation: number;
  lost(): void;
}

export interface TaskHeartbeatOptions {
  db: Db;
  logger: Logger;
  taskId: string;
  timing: Pick<LeaseTiming, 'leaseMs' | 'heartbeatMs'>;
}

/**
 * This media task's hold on all of its calls at once. Every beat writes the task's heartbeat (one
 * write, however many calls run here), then reads the task's list of calls (one query) to notice
 * any call another task took over or the sweeper ended while this task was presumed dead: such a
 * call is told it was lost, within one beat, as a failed per-call renewal used to tell it.
 */
export class TaskHeartbeat {
  private readonly options: TaskHeartbeatOptions;
  private readonly held = new Map<string, HeldCall>();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(options: TaskHeartbeatOptions) {
    this.options = options;
  }

  get taskId(): string {
    return this.options.taskId;
  }

  /** First beat now (awaited, never throws), then one every `heartbeatMs` until `stop()`. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.options.timing.heartbeatMs);
    this.timer.unref();
    await this.beat();
  }

  /** Stops beating (the task is going away; its calls were let go or ended by the drain). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Holds a call until the returned function is called (the call was released or abandoned). */
  hold(call: HeldCall): () => void {
    this.held.set(call.callId, call);
    return () => {
      if (this.held.get(call.callId) === call) this.held.delete(call.callId);
    };
  }

  /** Calls held right now. */
  get heldCalls(): number {
    return this.held.size;
  }

  /** One beat, never two at once: a slow beat is not stacked behind another. */
  beat(): Promise<void> {
    this.beating ??= this.beatOnce().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private async beatOnce(): Promise<void> {
    const { db, taskId, timing, logger } = this.options;
    try {
      await beatTask(db, taskId, timing.leaseMs);
    } catch (error) {
      // Retried at the next beat; the lease outlasts a few misses.
      logger.warn('task heartbeat not written', { err: error });
    }
    if (this.held.size > 0) await this.checkHeld();
  }

  private async checkHeld(): Promise<void> {
    const { db, taskId, logger } = this.options;
    let listed: Awaited<ReturnType<typeof listTaskCalls>>;
    try {
      listed = await listTaskCalls(db, taskId);
    } catch (error) {
      logger.warn('held calls not checked', { err: error });
      return;
    }
    const onList = new Map(listed.map((owner) => [owner.callId, owner]));
    for (const call of [...this.held.values()]) {
      const seen = onList.get(call.callId);
      if (seen?.state === 'live' && seen.generation === call.generation) continue;
      // The index trails writes (a call claimed a moment ago may not be on it yet): only a
      // consistent read of the record itself decides that the call is lost.
      let current: Awaited<ReturnType<typeof getCallOwner>>;
      try {
        current = await getCallOwner(db, call.callId);
      } catch (error) {
        logger.warn('held call not checked', { callId: call.callId, err: error });
        continue;
      }
      const stillOurs =
        current?.taskId === taskId && current.generation === call.generation && current.state === 'live';
      if (stillOurs || this.held.get(call.callId) !== call) continue;
      this.held.delete(call.callId);
      call.lost();
    }
  }
}
