import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootDir } from '../../test/platform.ts';

/** Runs `npm start`'s entry point and collects its exit code and output. */
function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(rootDir, 'infra/local/start.ts')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm start refuses bad set-ups clearly', () => {
  it('exits non-zero naming every invalid environment variable', async () => {
    const { code, output } = await runStart({
      API_PORT: 'eighty',
      OPENAI_REALTIME_URL: 'ftp://nope',
      LOG_LEVEL: 'loud',
    });
    expect(code).toBe(1);
    expect(output).toContain('API_PORT');
    expect(output).toContain('OPENAI_REALTIME_URL');
    expect(output).toContain('LOG_LEVEL');
  });

  it('says which port is in use and how to pick another', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, output } = await runStart({ API_PORT: String(port), MEDIA_PORT: '0' });
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} (API) is already in use`);
      expect(output).toContain('API_PORT=');
    } finally {
      blocker.close();
    }
  });
});
