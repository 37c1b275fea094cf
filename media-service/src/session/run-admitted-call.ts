import type { Logger } from '#shared/logging/logger.ts';
import type { SessionSlot } from './session-registry.ts';

/** What an admission step tells the runner while it works. */
export interface AdmissionProgress {
  /**
   * The registry place this call holds; released by the runner if a later step fails (releasing
   * is idempotent, and a started session never rejects, so a live session's place is never freed).
   */
  hold(slot: SessionSlot): void;
}

export interface AdmittedCallRun {
  /** Transport name for logs (`twilio`, `web`, `asterisk`). */
  transport: string;
  logger: Logger;
  /** Admission, provider set-up and the session start: everything before the session owns the call. */
  admitAndStart(progress: AdmissionProgress): Promise<unknown>;
  /** Ends the caller's leg politely ("try again later", a hang-up with a cause); must not throw. */
  closeCaller(): unknown;
}

/**
 * The one path every transport runs a new call through. Admission reads secrets, DynamoDB and the
 * provider; any of them can fail, and an unhandled rejection would end the whole process and
 * every live call on it. A failure here is logged, the slot held so far is released, and only
 * this caller's leg is closed. Never rejects.
 */
export async function runAdmittedCall(run: AdmittedCallRun): Promise<void> {
  let held: SessionSlot | undefined;
  try {
    await run.admitAndStart({
      hold: (slot) => {
        held = slot;
      },
    });
  } catch (error) {
    run.logger.error('call admission failed', { transport: run.transport, err: error });
    held?.release();
    try {
      await run.closeCaller();
    } catch (closeError) {
      run.logger.warn('caller leg could not be closed', { transport: run.transport, err: closeError });
    }
  }
}
