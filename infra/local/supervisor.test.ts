import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rootDir } from '../../test/platform.ts';
import { freePort } from './ports.ts';

/** Parent pid of `pid` from /proc (Linux), or undefined when the process is gone (or a zombie). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' || state === 'X' ? undefined : Number(ppid);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => parentOf(candidate) === pid);
}

const isAlive = (pid: number) => parentOf(pid) !== undefined;

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Running {
  supervisor: ChildProcess;
  apiUrl: string;
  output: () => string;
  cleanup: () => void;
}

const started: Running[] = [];
afterEach(() => {
  for (const run of started.splice(0)) run.cleanup();
});

/** `npm start`'s entry point on free ports with its own data directory; resolves once it is ready. */
async function startPlatform(): Promise<Running> {
  const localDir = mkdtempSync(join(tmpdir(), 'ai-caller-start-'));
  const [apiPort, mediaPort] = [await freePort(), await freePort()];
  const supervisor = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(rootDir, 'infra/local/start.ts')],
    {
      env: {
        ...process.env,
        API_PORT: String(apiPort),
        MEDIA_PORT: String(mediaPort),
        LOCAL_DIR: localDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  supervisor.stdout?.on('data', (c) => {
    output += c;
  });
  supervisor.stderr?.on('data', (c) => {
    output += c;
  });
  const run: Running = {
    supervisor,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    output: () => output,
    cleanup: () => {
      for (const pid of [supervisor.pid as number, ...childrenOf(supervisor.pid as number)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(localDir, { recursive: true, force: true });
    },
  };
  started.push(run);
  await until(
    () => output.includes('ai-caller is running') || supervisor.exitCode !== null,
    'the platform is up',
    90_000,
  );
  expect(supervisor.exitCode, output).toBeNull();
  return run;
}

describe('the local supervisor (npm start)', () => {
  it('takes DynamoDB Local and the media service with it when it is killed outright', async () => {
    const run = await startPlatform();
    const children = childrenOf(run.supervisor.pid as number).filter((pid) => {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmd.includes('DynamoDBLocal') || cmd.includes('media-service');
    });
    expect(children).toHaveLength(2);
    run.supervisor.kill('SIGKILL');
    await until(() => children.every((pid) => !isAlive(pid)), 'its children are gone', 20_000);
  }, 120_000);

  it('keeps the API up when the media service drains and exits 0 on purpose', async () => {
    const run = await startPlatform();
    const media = childrenOf(run.supervisor.pid as number).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('media-service'),
    ) as number;
    expect(media).toBeDefined();
    process.kill(media, 'SIGTERM');
    await until(
      () => !isAlive(media) || parentOf(media) !== run.supervisor.pid,
      'the media service drained',
      30_000,
    );
    await until(() => run.output().includes('media service drained'), 'the supervisor noticed', 10_000);
    expect(run.supervisor.exitCode).toBeNull();
    expect((await fetch(`${run.apiUrl}/health`)).status).toBeLessThan(500);
  }, 120_000);
});
