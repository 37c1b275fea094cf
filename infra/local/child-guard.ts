import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ChildGuard {
  /** Children to stop if the supervisor dies without stopping them itself. */
  watch(pid: number | undefined): void;
}

/**
 * Starts the orphan guard (orphan-guard.ts), detached into its own process group so a Ctrl-C or
 * a kill of the supervisor's group leaves it to finish its job. Its stdin is the tether.
 */
export function startChildGuard(rootDir: string): ChildGuard {
  const guard: ChildProcess = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(rootDir, 'infra/local/orphan-guard.ts')],
    { stdio: ['pipe', 'ignore', 'inherit'], detached: true },
  );
  guard.unref();
  // The pipe must not keep the supervisor alive either; it only has to close when it exits.
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  guard.stdin?.on('error', () => undefined);
  return {
    watch(pid) {
      if (pid !== undefined) guard.stdin?.write(`${pid}\n`);
    },
  };
}
