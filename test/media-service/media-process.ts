import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root (not from ../platform.ts: the failover benchmark uses this outside vitest). */
const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * One media task as its own process (`media-service/src/main.ts`), as ECS runs it: resolves once
 * it listens, with its port and task id; its JSON log lines can be awaited by message. Test-only.
 */
export interface MediaProcess {
  readonly port: number;
  readonly taskId: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves with the first log line (past or future) whose `msg` is `msg` and that matches. */
  logged(msg: string, match?: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export async function startMediaProcess(env: Record<string, string | undefined>): Promise<MediaProcess> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', 'media-service/src/main.ts'],
    {
      cwd: rootDir,
      // Info at least: the listening line (port, task id) and the call lines are how it is observed.
      env: {
        ...process.env,
        MEDIA_PORT: '0',
        ...env,
        LOG_LEVEL: env.LOG_LEVEL === 'debug' ? 'debug' : 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entries: Record<string, unknown>[] = [];
  const waiters: {
    msg: string;
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    entries.push(entry);
    for (const waiter of [...waiters]) {
      if (entry.msg !== waiter.msg || !waiter.match(entry)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  });
  const logged = (msg: string, match: (e: Record<string, unknown>) => boolean = () => true) => {
    const found = entries.find((e) => e.msg === msg && match(e));
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, match, resolve }));
  };
  const listening = await Promise.race([
    logged('media service listening'),
    exited.then((code) => {
      throw new Error(`media process exited with ${code} before listening`);
    }),
  ]);
  return { port: Number(listening.port), taskId: String(listening.taskId), child, exited, logged };
}
