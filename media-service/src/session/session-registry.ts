import type { EndReason } from '#shared/calls/call-types.ts';
import type { MachineVerdict } from '#shared/voicemail/answered-by.ts';

/** What the registry needs from a live session: its id and a way to end it. */
export interface LiveSession {
  readonly callId: string;
  /** Ends the call politely (goodbye, hang up, store everything); resolves when fully closed. */
  end(reason: EndReason): Promise<void>;
  /** Resolves once the session has fully closed, whatever ended it. */
  readonly closed: Promise<void>;
  /** An answering-machine verdict for the call (Twilio's asynchronous AMD). */
  machineVerdict?(verdict: MachineVerdict): void;
  /**
   * Lets the call continue on another media task (drain); resolves false when its transport
   * cannot be reconnected elsewhere and the call must be ended instead.
   */
  handOver?(): Promise<boolean>;
}

/** A reserved place for one call; release it if the call never starts, `bind` it when it does. */
export interface SessionSlot {
  readonly callId: string;
  /** Binds the started session: the slot is then released when the session's `closed` settles. */
  bind(session: LiveSession): void;
  /** Gives the place back (idempotent). */
  release(): void;
}

export type Refusal = 'capacity' | 'draining' | 'duplicate';

export type Reservation = { ok: true; slot: SessionSlot } | { ok: false; reason: Refusal };

export interface AdmissionSnapshot {
  liveCalls: number;
  maxCalls: number;
  draining: boolean;
}

/**
 * The live calls of this container, by call id. Capacity is `MEDIA_MAX_CALLS`; reserving counts,
 * so the cap holds while sessions are still starting. Created once per media service and passed
 * to every transport (never a module-level map).
 */
export interface SessionRegistry {
  reserve(callId: string): Reservation;
  get(callId: string): LiveSession | undefined;
  snapshot(): AdmissionSnapshot;
  /** Stop admitting: every later `reserve` is refused with `draining`. */
  startDraining(): void;
  /** Resolves when no slot is held (every session closed, every reservation released). */
  idle(): Promise<void>;
  /**
   * Ends every live session with `reason` and waits for them to close. A session still setting
   * up (its slot reserved, not yet bound) is ended with the same reason the moment it binds, so
   * a call answered during shutdown never outlives it.
   */
  endAll(reason: EndReason): Promise<void>;
  /** Hands every live session that can continue elsewhere over to another task; returns how many. */
  handOverAll(): Promise<number>;
}

export function createSessionRegistry(maxCalls: number): SessionRegistry {
  const slots = new Map<string, { session?: LiveSession }>();
  let draining = false;
  let endedWith: EndReason | undefined;
  let idleWaiters: (() => void)[] = [];

  const free = (callId: string) => {
    if (!slots.delete(callId)) return;
    if (slots.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    }
  };

  return {
    reserve(callId) {
      if (draining) return { ok: false, reason: 'draining' };
      if (slots.has(callId)) return { ok: false, reason: 'duplicate' };
      if (slots.size >= maxCalls) return { ok: false, reason: 'capacity' };
      const entry: { session?: LiveSession } = {};
      slots.set(callId, entry);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        free(callId);
      };
      return {
        ok: true,
        slot: {
          callId,
          bind(session) {
            entry.session = session;
            session.closed.then(release, release);
            // After the binding call returns (sessions bind from their constructor): ended like a
            // `call.end` that arrives while the session is still starting.
            const reason = endedWith;
            if (reason) queueMicrotask(() => void session.end(reason).catch(() => undefined));
          },
          release,
        },
      };
    },
    get: (callId) => slots.get(callId)?.session,
    snapshot: () => ({ liveCalls: slots.size, maxCalls, draining }),
    startDraining() {
      draining = true;
    },
    idle: () =>
      slots.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    async handOverAll() {
      const live = [...slots.values()].flatMap((entry) => (entry.session?.handOver ? [entry.session] : []));
      const results = await Promise.allSettled(live.map((session) => session.handOver?.()));
      return results.filter((r) => r.status === 'fulfilled' && r.value === true).length;
    },
    async endAll(reason) {
      endedWith = reason;
      const live = [...slots.values()].flatMap((entry) => (entry.session ? [entry.session] : []));
      await Promise.allSettled(live.map((session) => session.end(reason)));
    },
  };
}
