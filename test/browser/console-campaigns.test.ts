import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient } from '../functions/api-test-client.ts';
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
 * Campaigns and the do-not-call list in Chromium against the real APIs, queue workers and the
 * dispatcher job: a campaign is created from the form, gets pasted contacts and a CSV file (its
 * bad row reported) uploaded through the presigned PUT, is started and paused while its counts
 * move, is edited while paused, and a cancel is asked and refused in the confirm dialog.
 */
const OWNER = { email: 'dee@acme-dental.test', name: 'Dee Owner', password: 'campaigns are calling 2026!' };
const VIEWPORT = { width: 1280, height: 900 };

let stack: ConsoleStack;
let chrome: LaunchedChromium;
let context: BrowserContext;
let api: ApiClient;
/** The campaign the first test builds (the narrow-screen test visits it again). */
let campaignPath = '';

/** The signed-in person's own API access (the console's session, refreshed once for the test). */
async function sessionApi(): Promise<ApiClient> {
  const csrf = (await context.cookies()).find((c) => c.name === 'aic_csrf')?.value ?? '';
  const res = await context.request.post('/v1/auth/refresh', { headers: { 'X-CSRF-Token': csrf }, data: {} });
  expect(res.status()).toBe(200);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return apiClient(stack.platform.apiUrl, accessToken);
}

beforeAll(async () => {
  mkdirSync(CONSOLE_ARTIFACTS, { recursive: true });
  stack = await startConsoleStack();
  chrome = await launchChromium({});
  const created = await createTenantWithOwner(
    stack.platform.apiUrl,
    stack.platform.secrets.ADMIN_API_KEY,
    OWNER.email,
  );
  context = await chrome.browser.newContext({ viewport: VIEWPORT, baseURL: stack.platform.apiUrl });
  const page = await context.newPage();
  await page.goto(`/accept-invitation?token=${encodeURIComponent(created.ownerInvitation.token)}`);
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByLabel('Repeat password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await page.waitForURL(/\/settings\/mfa/);
  await page.close();
  // An agent with a number of its own on the PBX (campaign dials need no provider fake then).
  api = await sessionApi();
  const agent = await api.post('/v1/agents', {
    name: 'Reminder line',
    instructions: 'Remind {{firstName}}.',
  });
  expect(agent.status).toBe(201);
  const number = await api.post('/v1/phone-numbers', {
    number: '+16285550188',
    agentId: agent.body.agent.id,
    provider: 'asterisk',
  });
  expect(number.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await chrome?.close();
  await stack?.stop();
});

async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  return { page, problems: collectPageProblems(page) };
}

/** The number shown for a contact state in the campaign's counts. */
const countOf = (page: Page, label: string) =>
  page
    .locator('.stat', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
    .locator('.stat-value')
    .first();

describe('campaigns in the console', () => {
  it('creates, fills, runs, pauses and edits a campaign from the pages', async () => {
    const { page, problems } = await newPage();
    await visit(page, '/campaigns', 'campaigns-empty');
    await page.getByText('No campaigns yet').waitFor();
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.waitForURL(/\/campaigns\/new$/);
    await settled(page);

    await page.getByLabel('Name', { exact: true }).fill('Flu shot reminders');
    expect(await page.getByLabel('Agent').inputValue()).toMatch(/^agt_/);
    for (const day of ['Sat', 'Sun']) await page.getByRole('checkbox', { name: day, exact: true }).check();
    await page.getByLabel('Calls from').fill('00:00');
    await page.getByLabel('Calls until').fill('23:59');
    await page.getByLabel('Calls at once').fill('2');
    await page.getByLabel('No answer: attempts').fill('2');
    await page.getByLabel('No answer: minutes between').fill('15');
    await page.getByRole('button', { name: 'Add variable' }).click();
    expect(await page.getByLabel('Variable 1 name').inputValue()).toBe('firstName');
    await page.getByLabel('Variable 1 value').fill('there');
    await checkAndShoot(page, 'campaign-form');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/\/campaigns\/cmp_[^/]+$/);
    campaignPath = new URL(page.url()).pathname;
    await settled(page);
    await page.getByText('No contacts yet: add some below').waitFor();
    await checkAndShoot(page, 'campaign-new');

    // Pasted rows: three good numbers, one the API rejects by its row.
    await page
      .getByLabel('Contacts to add')
      .fill('number,firstName\n+442071838701,Ada\n+442071838702,Bo\n+442071838703,\n+4420,Cy');
    await page.getByRole('button', { name: 'Add contacts' }).click();
    const added = page.locator('.add-result');
    await added.getByText('3 added · 1 rejected').waitFor();
    expect(await added.textContent()).toContain('Row 4 (+4420): invalid_number');
    await page.getByRole('table', { name: 'Contacts' }).locator('tbody tr').nth(2).waitFor();

    // A CSV file through the presigned PUT: one good row, one bad, followed to the end.
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'more-contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('number,firstName\n+442071838704,Dee\nnot-a-number,Eve\n'),
    });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const status = page.getByRole('region', { name: 'Import progress' });
    await status.getByText('Completed with errors').waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toContain('2 rows read · 1 imported · 1 rejected');
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    expect(await rejected.locator('tbody tr').allTextContents()).toEqual(['2not-a-numberinvalid_number']);
    await expect.poll(() => countOf(page, 'Pending').textContent(), { timeout: 15_000 }).toBe('4');
    await settled(page);
    await checkAndShoot(page, 'campaign-contacts-added');

    // Start: the dispatcher (every 10 s) claims contacts and the counts move without a reload.
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.locator('.page-header .badge', { hasText: 'Running' }).waitFor();
    await expect
      .poll(async () => Number(await countOf(page, 'Pending').textContent()), { timeout: 45_000 })
      .toBeLessThan(4);
    // The contacts table follows the counts, without a reload.
    const pendingRows = page
      .getByRole('table', { name: 'Contacts' })
      .locator('tbody tr', { hasText: 'Pending' });
    await expect
      .poll(
        async () => (await pendingRows.count()) === Number(await countOf(page, 'Pending').textContent()),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await checkAndShoot(page, 'campaign-running');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('.page-header .badge', { hasText: 'Paused' }).waitFor();

    // Cancel asks first, in the shared dialog; Escape keeps the campaign and gives focus back.
    const cancel = page.getByRole('button', { name: 'Cancel campaign' });
    await cancel.click();
    const dialog = page.getByRole('dialog', { name: 'Cancel “Flu shot reminders”?' });
    await dialog.waitFor();
    expect(
      await dialog
        .getByRole('button', { name: 'Keep campaign' })
        .evaluate((b) => b === document.activeElement),
    ).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(
      await dialog
        .getByRole('button', { name: 'Keep campaign' })
        .evaluate((b) => b === document.activeElement),
    ).toBe(true);
    await checkAndShoot(page, 'campaign-cancel-dialog', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await cancel.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await page.locator('.page-header .badge').textContent()).toBe('Paused');

    // Paused campaigns can be edited.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await settled(page);
    expect(await page.getByLabel('Agent').isDisabled()).toBe(true);
    await page.getByLabel('Calls at once').fill('3');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/\/campaigns\/cmp_[^/]+$/);
    await page.locator('.kv div', { hasText: 'Calls at once' }).getByText('3', { exact: true }).waitFor();

    // The contacts table filters by state.
    // (Calls still in progress when it paused may finish meanwhile: compare once both agree.)
    await page.getByLabel('State', { exact: true }).selectOption('pending');
    await settled(page);
    const rows = page.getByRole('table', { name: 'Contacts' }).locator('tbody tr');
    await expect
      .poll(async () => (await rows.count()) === Number(await countOf(page, 'Pending').textContent()), {
        timeout: 15_000,
      })
      .toBe(true);
    for (const text of await rows.allTextContents()) expect(text).toContain('Pending');

    await visit(page, '/campaigns', 'campaigns');
    const row = page.getByRole('row', { name: /Flu shot reminders/ });
    expect(await row.textContent()).toContain('Paused');
    expect(await row.textContent()).toMatch(/of 4 done/);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);
});

describe('the do-not-call list in the console', () => {
  it('adds a number, lists it, and removes one after confirming', async () => {
    const { page, problems } = await newPage();
    await visit(page, '/do-not-call', 'do-not-call-empty');
    await page.getByText('The do-not-call list is empty').waitFor();
    for (const [number, reason] of [
      ['+442071838799', 'Asked by email'],
      ['+442071838798', ''],
    ]) {
      await page.getByLabel('Number (E.164)').fill(number as string);
      await page.getByLabel('Reason (optional)').fill(reason as string);
      await page.getByRole('button', { name: 'Add number' }).click();
      await page.getByRole('row', { name: new RegExp((number as string).slice(-4)) }).waitFor();
    }
    await page.getByLabel('Number (E.164)').fill('12');
    await page.getByRole('button', { name: 'Add number' }).click();
    await page.locator('.form-error').getByText('number', { exact: false }).first().waitFor();
    await settled(page);
    await checkAndShoot(page, 'do-not-call');

    await page.getByRole('button', { name: 'Remove +442071838798' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove from list' }).click();
    await page.getByRole('button', { name: 'Remove +442071838798' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('table', { name: 'Do-not-call numbers' }).locator('tbody tr').count()).toBe(
      1,
    );
    expect((await api.get('/v1/dnc')).body.items.map((e: { number: string }) => e.number)).toEqual([
      '+442071838799',
    ]);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('campaign pages 375 px wide', () => {
  it('fit the screen without sideways scrolling', async () => {
    expect(campaignPath).toMatch(/^\/campaigns\/cmp_/);
    const narrow = await chrome.browser.newContext({
      viewport: { width: 375, height: 812 },
      baseURL: stack.platform.apiUrl,
      storageState: await context.storageState(),
    });
    const page = await narrow.newPage();
    const problems = collectPageProblems(page);
    for (const [path, shot] of [
      ['/campaigns', 'mobile-campaigns'],
      [campaignPath, 'mobile-campaign'],
      [`${campaignPath}/edit`, 'mobile-campaign-form'],
      ['/do-not-call', 'mobile-do-not-call'],
    ] as const) {
      await visit(page, path, shot);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
    expect(problems).toEqual([]);
    await narrow.close();
  }, 60_000);
});
