import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadEnv } from '#shared/config/env.ts';
import { createSecretStore } from '#shared/config/secrets.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { buildConsole } from '../../console/build/build-console.ts';
import { freePort } from '../../infra/local/ports.ts';
import { createMediaService, type MediaService } from '../../media-service/src/media-service.ts';
import { type FakeOpenAiRest, startFakeOpenAiRest } from '../../fakes/openai/rest-server.ts';
import { type FakeRealtimeServer, startFakeRealtime } from '../../fakes/realtime/scripted-server.ts';
import { rootDir, startTestPlatform, type TestPlatform } from '../platform.ts';

/**
 * What `npm start` runs, in one test process: the gateway serving the built console and the API
 * (with queue pollers, so calls get summaries and usage), a media service on a known port (the
 * console frames its call page), a fake realtime model and a fake summary model.
 */
export interface ConsoleStack {
  platform: TestPlatform;
  media: MediaService;
  mediaUrl: string;
  realtime: FakeRealtimeServer;
  openai: FakeOpenAiRest;
  stop(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const { distDir } = await buildConsole(rootDir, { log: () => undefined });
  const realtime = await startFakeRealtime();
  const openai = await startFakeOpenAiRest();
  const mediaPort = await freePort();
  const mediaUrl = `http://127.0.0.1:${mediaPort}`;
  const platform = await startTestPlatform({
    startPollers: true,
    env: {
      // The knowledge pages crawl a local site: no politeness pause between its pages.
      KNOWLEDGE_CRAWL_DELAY_MS: '0',
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: openai.apiKey,
      PUBLIC_MEDIA_URL: mediaUrl,
    },
    console: { distDir, security: { mediaOrigin: mediaUrl } },
  });
  const media = createMediaService({
    env: loadEnv({ ...platform.env, OPENAI_REALTIME_URL: realtime.url, MEDIA_MODEL_POOL_SIZE: '0' }),
    logger: createLogger({ level: 'error' }),
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    secrets: createSecretStore({
      env: { ...platform.env, OPENAI_API_KEY: 'sk-test', TWILIO_AUTH_TOKEN: '' },
    }),
  });
  await media.listen(mediaPort, '127.0.0.1');
  return {
    platform,
    media,
    mediaUrl,
    realtime,
    openai,
    async stop() {
      await media.drain(0);
      await realtime.close();
      await openai.close();
      await platform.stop();
    },
  };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core in the page, run through the DevTools protocol (the console's CSP rightly refuses an
 * injected script tag). Returns the serious and critical violations only.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Waits until no loading indicator is on the page (every page shows one while it fetches). */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelectorAll('.state-loading').length === 0);
}

/** Where every console test saves its screenshots (a CI artifact). */
export const CONSOLE_ARTIFACTS = join(rootDir, 'test-artifacts', 'console');

/** Loads a page, waits for its data, checks accessibility and saves the screenshot. */
export async function visit(page: Page, path: string, shot: string, options: { fullPage?: boolean } = {}) {
  await page.goto(path);
  await settled(page);
  await checkAndShoot(page, shot, options);
}

/** The page as it is now: no serious accessibility violation, and a screenshot named `shot`. */
export async function checkAndShoot(page: Page, shot: string, options: { fullPage?: boolean } = {}) {
  const violations = await seriousAxeViolations(page);
  expect(violations, `${page.url()}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  const fullPage = options.fullPage ?? true;
  // The sticky sidebar is drawn where the page is scrolled to: a full-page shot starts at the top.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(CONSOLE_ARTIFACTS, `${shot}.png`), fullPage });
}
