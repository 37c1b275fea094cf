import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSite, htmlPage, startFakeSite } from '../../fakes/knowledge/knowledge-site.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { collectPageProblems, createTenantWithOwner } from './console-session.ts';
import {
  CONSOLE_ARTIFACTS,
  type ConsoleStack,
  checkAndShoot,
  settled,
  startConsoleStack,
  visit,
} from './console-stack.ts';

/**
 * The knowledge-base and export pages in Chromium against the real APIs and their queue workers:
 * a base is created from the page, crawled from a local site with one broken link, followed to
 * the end without a reload, searched; an export is followed to its download and survives a reload.
 */
const OWNER = { email: 'kim@acme-dental.test', name: 'Kim Owner', password: 'knowledge is power 2026!' };
const VIEWPORT = { width: 1280, height: 860 };

let stack: ConsoleStack;
let chrome: LaunchedChromium;
let site: FakeSite;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(CONSOLE_ARTIFACTS, { recursive: true });
  site = await startFakeSite();
  const nav = ['/hours', '/insurance', '/gone'];
  site.set('/', {
    body: htmlPage(
      'Acme Dental',
      '<h1>Welcome</h1><p>Acme Dental cares for your teeth in Springfield.</p>',
      nav,
    ),
  });
  site.set('/hours', {
    body: htmlPage(
      'Opening hours',
      '<h1>Opening hours</h1><p>We are open Monday to Friday, 8 to 18.</p>',
      nav,
    ),
  });
  site.set('/insurance', {
    body: htmlPage(
      'Insurance',
      '<h1>Insurance</h1><p>We accept all public insurers and most private plans.</p>',
    ),
  });
  site.set('/gone', { status: 404 });
  stack = await startConsoleStack();
  chrome = await launchChromium({});
  const created = await createTenantWithOwner(
    stack.platform.apiUrl,
    stack.platform.secrets.ADMIN_API_KEY,
    OWNER.email,
  );
  // The owner joins through the invitation page; the context keeps the session cookies.
  context = await chrome.browser.newContext({ viewport: VIEWPORT, baseURL: stack.platform.apiUrl });
  const page = await context.newPage();
  await page.goto(`/accept-invitation?token=${encodeURIComponent(created.ownerInvitation.token)}`);
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByLabel('Repeat password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL(/\/settings\/mfa/);
  await page.close();
}, 180_000);

afterAll(async () => {
  await context?.close();
  await chrome?.close();
  await stack?.stop();
  await site?.close();
});

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  return { page, problems: collectPageProblems(page) };
}

describe('knowledge bases in the console', () => {
  it('creates a base from the page, follows its sync to the end, lists its documents and searches it', async () => {
    const { page, problems } = await newPage();
    await visit(page, '/knowledge-bases', 'knowledge-bases-empty');
    await page.getByText('No knowledge bases yet').waitFor();

    await page.getByLabel('Name').fill('Help center');
    await page.getByLabel('Source').selectOption('website');
    await page.getByLabel('Website URL').fill(site.url);
    await page.getByLabel('Refresh').selectOption('manual');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/knowledge-bases\/kb_[^/]+$/);
    await page.getByText('Not synced yet.').waitFor();
    await checkAndShoot(page, 'knowledge-base-new');

    await page.getByRole('button', { name: 'Sync now' }).click();
    // The page polls the sync: it reaches its end state with no reload (the 404 is reported).
    await page.getByText('Completed with errors').waitFor({ timeout: 60_000 });
    const stat = (label: string) =>
      page
        .locator('.stat', { has: page.locator('dt', { hasText: label }) })
        .locator('.stat-value')
        .first();
    expect(await stat('Fetched').textContent()).toBe('3');
    expect(await stat('Failed').textContent()).toBe('1');
    expect(Number(await stat('Embedded').textContent())).toBeGreaterThan(0);
    await page.getByText(`${site.url}/gone`).waitFor();
    const documents = page.getByRole('table', { name: 'Documents' });
    await documents.getByText('Opening hours', { exact: true }).waitFor();
    expect(await documents.locator('tbody tr').count()).toBe(3);
    expect(await page.getByRole('progressbar').count()).toBe(0);

    await page.getByLabel('Question').fill('When are you open?');
    await page.getByRole('button', { name: 'Search' }).click();
    const first = page.locator('ol.results li').first();
    await first.waitFor();
    expect(await first.locator('a').getAttribute('href')).toBe(`${site.url}/hours`);
    expect(await first.textContent()).toContain('Monday to Friday');
    await settled(page);
    await checkAndShoot(page, 'knowledge-base-detail');

    // A reload of the deep link shows the same base and its last sync.
    await page.reload();
    await page.getByText('Completed with errors').waitFor();

    await visit(page, '/knowledge-bases', 'knowledge-bases');
    const row = page.getByRole('row', { name: /Help center/ });
    expect(await row.textContent()).toContain(site.url);
    expect(await row.textContent()).toContain('Completed with errors');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('names the field when the API refuses a source', async () => {
    const { page } = await newPage();
    await visit(page, '/knowledge-bases', 'knowledge-bases-form');
    await page.getByLabel('Name').fill('Nowhere');
    await page.getByLabel('Source').selectOption('sitemap');
    await page.getByLabel('Sitemap URL').fill('ftp://example.com/sitemap.xml');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('sources.0.url');
    expect(page.url()).toMatch(/\/knowledge-bases$/);
    await page.close();
  }, 60_000);
});

describe('exports in the console', () => {
  it('starts an export, follows it to the download link, and shows it again after a reload', async () => {
    const { page, problems } = await newPage();
    await visit(page, '/exports', 'exports');
    await page.getByLabel('Format').selectOption('jsonl');
    await page.getByRole('button', { name: 'Start export' }).click();
    await page.waitForURL(/\/exports\?export=exp_/);
    const download = page.getByRole('link', { name: 'Download' });
    await download.waitFor({ timeout: 60_000 });
    expect(await page.locator('.export-status .badge').textContent()).toBe('Completed');
    const href = (await download.getAttribute('href')) as string;
    const file = await page.request.get(href);
    expect(file.status()).toBe(200);
    expect(await file.text()).toBe('');
    await checkAndShoot(page, 'exports-completed');

    await page.reload();
    await page.getByRole('link', { name: 'Download' }).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
