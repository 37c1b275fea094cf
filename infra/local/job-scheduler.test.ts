import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { startJobScheduler } from './job-scheduler.ts';

const dir = mkdtempSync(join(tmpdir(), 'jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local job scheduler', () => {
  it('runs each job repeatedly, going on after a failed run; stop waits for the run in flight', async () => {
    // The handler records started and finished runs on globalThis and fails its first run.
    writeFileSync(
      join(dir, 'job.mjs'),
      `export const handler = async () => {
        const runs = (globalThis.__jobRuns = (globalThis.__jobRuns ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
        globalThis.__jobsFinished = (globalThis.__jobsFinished ?? 0) + 1;
        if (runs === 1) throw new Error('first run fails');
        return { runs };
      };`,
    );
    const scheduler = startJobScheduler({
      jobs: [
        {
          id: 'Test',
          handler: 'job.mjs',
          grants: {},
          everyMinutes: 1,
          timeoutSeconds: 5,
          description: 'test',
        },
      ],
      rootDir: dir,
      logger: createLogger({ level: 'error' }),
      intervalMs: 10,
    });
    const runs = () => (globalThis as { __jobRuns?: number }).__jobRuns ?? 0;
    await expect.poll(runs).toBeGreaterThanOrEqual(3);
    await scheduler.stop();
    expect((globalThis as { __jobsFinished?: number }).__jobsFinished).toBe(runs());
  });
});
