import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/local/ports.ts';
import { rootDir } from './platform.ts';

/**
 * Ctrl-C while `npm start` is still starting is a stop the user asked for: the platform stops
 * cleanly with exit 0 and does not claim the media service failed. CI once pressed Ctrl-C in the
 * moment between the media service listening and the start script's own health check, and the
 * script reported "The media service did not start".
 */
const dataDir = `.local/interrupt-test-${process.pid}`;

afterAll(() => rmSync(join(rootDir, dataDir), { recursive: true, force: true }));

describe('npm start interrupted while starting', () => {
  it('stops with exit 0 and no failure message when Ctrl-C comes as the media service starts listening', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      API_PORT: String(await freePort()),
      MEDIA_PORT: String(await freePort()),
      LOCAL_DATA_DIR: dataDir,
    };
    delete env.OPENAI_API_KEY;
    const platform = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'infra/local/start.ts'],
      {
        cwd: rootDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    let interrupted = false;
    const onData = (chunk: Buffer) => {
      output += chunk;
      // The media service's own log line: the start script has not seen it answer yet.
      if (!interrupted && output.includes('"msg":"media service listening"')) {
        interrupted = true;
        platform.kill('SIGINT');
      }
    };
    platform.stdout.on('data', onData);
    platform.stderr.on('data', onData);
    const [code, signal] = (await once(platform, 'exit')) as [number | null, NodeJS.Signals | null];

    expect(interrupted).toBe(true);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toContain('Stopping the platform');
    expect(output).not.toContain('did not start');
  }, 180_000);
});
