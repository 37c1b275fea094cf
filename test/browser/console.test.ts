import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_SUMMARY } from '../../fakes/openai/rest-server.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { collectPageProblems, createTenantWithOwner, nextTotp } from './console-session.ts';
import {
  CONSOLE_ARTIFACTS,
  type ConsoleStack,
  seriousAxeViolations,
  settled,
  startConsoleStack,
  visit,
} from './console-stack.ts';
import { showsTwoRecordingParts } from './recording-parts-check.ts';
import { showsWarmTransfers } from './transfers-check.ts';
import { tone, writeSpeechLikeWav } from './speech-wav.ts';

/**
 * The web console in Chromium against the local stack: the gateway serves the built app with its
 * CSP, the API and queue pollers are real, the media service takes the in-page browser call and
 * talks to a fake realtime model. Every page is checked with axe-core and photographed.
 */
const ARTIFACTS = CONSOLE_ARTIFACTS;
const GREETING = 'Thanks for calling Acme Dental, this is Ava. How can I help?';
const CALLER_TEXT = 'Hi, I would like to move my cleaning to Friday.';
const REPLY = 'Of course. Friday at ten is free, shall I book it?';

const OWNER = {
  email: 'olivia@acme-dental.test',
  name: 'Olivia Owner',
  password: 'correct horse battery staple 42',
};
const VIEWER = {
  email: 'victor@acme-dental.test',
  name: 'Victor Viewer',
  password: 'viewer passphrase long enough 7',
};

let stack: ConsoleStack;
let chrome: LaunchedChromium;
let ownerInvitationToken: string;
/** The owner's signed-in browser state (session cookies), reused by the later tests. */
let ownerState: Awaited<ReturnType<BrowserContext['storageState']>>;
let totpSecret: string;

const VIEWPORT = { width: 1280, height: 860 };

/** A browser holding the owner's session (cookies from the sign-in test). */
function ownerContext(viewport = VIEWPORT): Promise<BrowserContext> {
  return chrome.browser.newContext({ viewport, baseURL: stack.platform.apiUrl, storageState: ownerState });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startConsoleStack();
  const created = await createTenantWithOwner(
    stack.platform.apiUrl,
    stack.platform.secrets.ADMIN_API_KEY,
    OWNER.email,
  );
  ownerInvitationToken = created.ownerInvitation.token;
  const wavPath = join(ARTIFACTS, 'caller-speech.wav');
  writeSpeechLikeWav(wavPath);
  chrome = await launchChromium({ wavPath });
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await stack?.stop();
});

describe('the console before sign-in', () => {
  it('serves the app on deep links, sends strangers to sign-in and keeps its pages accessible', async () => {
    const context = await chrome.browser.newContext({
      viewport: { width: 1280, height: 860 },
      baseURL: stack.platform.apiUrl,
    });
    const page = await context.newPage();
    const csp = collectPageProblems(page);

    const index = await page.request.get('/calls/call_123');
    expect(index.status()).toBe(200);
    expect(index.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers()['cache-control']).toBe('no-cache');
    const assetPath = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
    expect(assetPath).toBeDefined();
    expect((await page.request.get(assetPath as string)).headers()['cache-control']).toContain('immutable');
    expect((await page.request.get('/v1/nope')).status()).toBe(404);

    await page.goto('/calls?status=failed');
    await page.waitForURL(/\/sign-in\?next=%2Fcalls%3Fstatus%3Dfailed$/);
    await visit(page, '/sign-in', 'sign-in');
    await expect(page.getByLabel('Email').isVisible()).resolves.toBe(true);
    await visit(page, '/reset-password', 'password-reset');
    await visit(page, '/reset-password?token=tok_example', 'password-reset-confirm');
    await visit(page, '/accept-invitation?token=tok_example', 'accept-invitation');
    expect(csp).toEqual([]);
    await context.close();
  }, 90_000);
});

describe('an owner runs the business from the console', () => {
  it('accepts the invitation, turns on MFA with the QR code and signs in with a TOTP', async () => {
    const context = await chrome.browser.newContext({ viewport: VIEWPORT, baseURL: stack.platform.apiUrl });
    const page = await context.newPage();
    const problems = collectPageProblems(page);

    await page.goto(`/accept-invitation?token=${encodeURIComponent(ownerInvitationToken)}`);
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Repeat password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL(/\/settings\/mfa\?welcome=1$/);
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    totpSecret = ((await page.locator('.qr .secret-value').textContent()) ?? '').trim();
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    await settled(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'mfa-enrol.png'), fullPage: true });
    await page.getByLabel('Code from the app').fill(nextTotp(totpSecret, 0));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Two-step verification is on.').waitFor();
    expect(await page.locator('.secret-value').textContent()).toMatch(/\S+\s+\S+/);
    await page.screenshot({ path: join(ARTIFACTS, 'mfa-recovery-codes.png'), fullPage: true });
    // No token or secret is kept in web storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).toBe('{}');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/sign-in' && url.search === '');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Verification code').waitFor();
    await settled(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'sign-in-mfa.png'), fullPage: true });
    await page.getByLabel('Verification code').fill(nextTotp(totpSecret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('heading', { level: 1, name: 'Dashboard', exact: true }).waitFor();
    // A reload keeps the session (HttpOnly cookies), the deep link included.
    await page.goto('/calls');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Calls', exact: true }).waitFor();
    expect(problems).toEqual([]);
    ownerState = await context.storageState();
    await context.close();
  }, 120_000);

  it('creates an agent, talks to it, watches the call live and reads it', async () => {
    const context = await ownerContext();
    const page = await context.newPage();
    const csp = collectPageProblems(page);

    // 1. A new agent, from the form.
    await visit(page, '/agents', 'agents');
    await page.getByRole('link', { name: 'New agent' }).first().click();
    await page.getByLabel('Name').fill('Ava at Acme Dental');
    await page
      .getByLabel('Instructions')
      .fill('You are Ava, the receptionist of Acme Dental. Book, move and cancel appointments.');
    await page.getByLabel('Greeting').fill(GREETING);
    await page.getByLabel('Record this agent’s calls').check();
    await page.getByLabel('Keep recordings for').selectOption('90');
    await page.getByLabel('Disclosure').fill('This call is recorded.');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/agents\/agt_/);
    const agentPath = new URL(page.url()).pathname;
    await settled(page);
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Ava at Acme Dental');
    await expect(page.getByLabel('Keep recordings for').inputValue()).resolves.toBe('90');

    // 2. Talk to it: the platform's call page in the agent page, Chromium's fake microphone.
    await page.getByRole('button', { name: 'Talk to this agent' }).click();
    const frame = page.frameLocator('iframe[title="Browser call with the agent"]');
    await frame.locator('#start').click();
    const model = await stack.realtime.nextConfigured();
    await model.waitFor('response.create');
    model.speak('resp_greeting', 'item_greeting', tone(800, 440), GREETING);
    // The caller answers once the greeting has played out (talking over it would truncate it).
    await frame.locator('li.caption.agent:not(.partial)', { hasText: GREETING }).waitFor();
    model.speechStarted('item_caller', 900);
    model.speechStopped('item_caller', 2600);
    model.callerTranscript('item_caller', CALLER_TEXT);
    model.speak('resp_reply', 'item_reply', tone(600, 520), REPLY);
    await frame.locator('li.caption.agent:not(.partial)', { hasText: REPLY }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'agent-talk.png'), fullPage: true });

    // 3. Meanwhile, in another tab, the calls list shows the call live.
    const list = await context.newPage();
    await visit(list, '/calls', 'calls-live');
    const liveRow = list.locator('tr[data-live]');
    await expect(liveRow.count()).resolves.toBe(1);
    await expect(liveRow.getByText('Live').count()).resolves.toBe(1);

    // 4. Hanging up: the list notices by itself (no reload) and the call completes.
    await frame.locator('#stop').click();
    await frame.locator('body[data-state="ended"]').waitFor();
    const loadsBefore = await list.evaluate(() => performance.getEntriesByType('navigation').length);
    await list.locator('tbody tr', { hasText: 'Completed' }).waitFor({ timeout: 20_000 });
    expect(await list.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loadsBefore);
    expect(await list.locator('tr[data-live]').count()).toBe(0);
    await list.screenshot({ path: join(ARTIFACTS, 'calls.png'), fullPage: true });

    // 5. The call: transcript in order with roles, then the summary once the post-call job ran.
    await list.locator('tbody tr a.row-link').first().click();
    await list.waitForURL(/\/calls\/call_/);
    const callPath = new URL(list.url()).pathname;
    await list.getByText(DEFAULT_MODEL_SUMMARY.summary).waitFor({ timeout: 30_000 });
    const turns = await list.locator('ol.transcript > li').evaluateAll((items) =>
      items.map((li) => ({
        role: li.querySelector('.turn-role')?.textContent,
        text: li.querySelector('.turn-text')?.textContent,
      })),
    );
    expect(turns).toEqual(
      expect.arrayContaining([
        { role: 'Agent', text: GREETING },
        { role: 'Caller', text: CALLER_TEXT },
        { role: 'Agent', text: REPLY },
      ]),
    );
    expect(turns.findIndex((t) => t.text === CALLER_TEXT)).toBeLessThan(
      turns.findIndex((t) => t.text === REPLY),
    );
    await list.getByLabel('New note').fill('Patient prefers mornings.');
    await list.getByRole('button', { name: 'Add note' }).click();
    await list.getByText('Patient prefers mornings.').waitFor();
    await list.getByLabel('Escalation reason').fill('Wants a call back from the hygienist.');
    await list.getByRole('button', { name: 'Escalate' }).click();
    await list.getByText('Wants a call back from the hygienist.').waitFor();
    // The recording: a player whose short-lived link serves the WAV (caller and agent channels).
    const player = list.locator('.recording audio');
    await player.waitFor({ timeout: 30_000 });
    const wav = await list.request.get((await player.getAttribute('src')) as string);
    expect(wav.status()).toBe(200);
    const header = Buffer.from(await wav.body());
    expect(header.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(header.readUInt16LE(22)).toBe(2);
    expect(await list.locator('.recording').textContent()).toContain('caller left, agent right');
    await visit(list, callPath, 'call-detail');
    await showsTwoRecordingParts(list, callPath.split('/').pop() as string);
    await showsWarmTransfers(list, callPath.split('/').pop() as string);
    // A reload of a deep link lands on the same call.
    await list.reload();
    await list.getByText(DEFAULT_MODEL_SUMMARY.summary).waitFor();

    await visit(page, agentPath, 'agent-edit');
    await visit(page, '/agents/new', 'agent-new');
    expect(csp).toEqual([]);
    await context.close();
  }, 180_000);

  it('every other page loads, is accessible and is photographed', async () => {
    const context = await ownerContext();
    const page = await context.newPage();
    const csp = collectPageProblems(page);

    await visit(page, '/phone-numbers', 'phone-numbers');
    await page.getByLabel('Number (E.164)').fill('+14155550142');
    await page.getByRole('button', { name: 'Add number' }).click();
    await page.getByRole('cell', { name: '+1 415 555 0142' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'phone-numbers.png'), fullPage: true });

    await visit(page, '/api-keys', 'api-keys');
    await page.getByLabel('Key name').fill('Booking backend');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.locator('.secret-value').textContent();
    expect(secret).toMatch(/^\S{20,}$/);
    await page.getByRole('cell', { name: 'Booking backend' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'api-keys.png'), fullPage: true });
    await page.reload();
    await settled(page);
    expect(await page.locator('.secret-value').count()).toBe(0);

    await visit(page, '/webhooks', 'webhooks');
    await visit(page, '/usage', 'usage');
    await visit(page, '/exports', 'exports');
    await visit(page, '/knowledge-bases', 'knowledge-bases');
    await visit(page, '/team', 'team');
    await visit(page, '/settings', 'settings');
    await visit(page, '/settings/mfa', 'mfa-enrolled');
    // The dashboard shows what the analytics API says, once the finished call is counted.
    await expect
      .poll(
        async () => {
          const r = await page.request.get('/v1/analytics/summary');
          const body = (await r.json()) as { totals: { calls: number }; qa: { scored: number } };
          return body.totals.calls >= 1 && body.qa.scored >= 1;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    const summaryResponse = page.waitForResponse((r) => r.url().includes('/v1/analytics/summary'));
    await visit(page, '/', 'dashboard');
    const shown = (await (await summaryResponse).json()) as {
      range: { from: string; to: string };
      totals: { calls: number; answered: number };
      rates: { answer: number };
      qa: { average: number };
    };
    const again = await (
      await page.request.get(`/v1/analytics/summary?from=${shown.range.from}&to=${shown.range.to}`)
    ).json();
    expect(again.totals).toEqual(shown.totals);
    const figure = (label: string) =>
      page
        .locator('.stat', { has: page.locator('dt', { hasText: label }) })
        .locator('.stat-value')
        .first()
        .textContent();
    expect(await figure('Calls')).toBe(String(shown.totals.calls));
    expect(await figure('Answer rate')).toBe(`${Math.round(shown.rates.answer * 1000) / 10}%`);
    expect(await figure('QA average')).toBe(String(shown.qa.average));
    expect(shown.totals.calls).toBeGreaterThanOrEqual(1);
    await visit(page, '/no-such-page', 'not-found');
    expect(csp).toEqual([]);
    await context.close();
  }, 120_000);

  it('is usable 375 px wide', async () => {
    const context = await ownerContext({ width: 375, height: 812 });
    const page = await context.newPage();
    for (const [path, shot] of [
      ['/', 'mobile-dashboard'],
      ['/calls', 'mobile-calls'],
      ['/agents', 'mobile-agents'],
    ] as const) {
      await visit(page, path, shot);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
    const topbar = await page.locator('.topbar').boundingBox();
    expect(topbar?.height).toBeLessThan(80);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.screenshot({ path: join(ARTIFACTS, 'mobile-menu.png') });
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.waitForURL(/\/calls$/);
    await context.close();
  }, 90_000);
});

describe('a viewer', () => {
  it('is invited by the owner, joins, and sees no buttons that change anything', async () => {
    const owner = await ownerContext();
    const ownerPage = await owner.newPage();
    await visit(ownerPage, '/team', 'team');
    await ownerPage.getByLabel('Email').fill(VIEWER.email);
    await ownerPage.getByLabel('Role').selectOption('viewer');
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    const link = ((await ownerPage.locator('.secret-value').textContent()) ?? '').trim();
    expect(link).toMatch(/\/accept-invitation\?token=/);
    await ownerPage.getByText(VIEWER.email).first().waitFor();
    await ownerPage.screenshot({ path: join(ARTIFACTS, 'team-invited.png'), fullPage: true });
    await owner.close();

    const context = await chrome.browser.newContext({ viewport: VIEWPORT, baseURL: stack.platform.apiUrl });
    const page = await context.newPage();
    await page.goto(new URL(link).pathname + new URL(link).search);
    await page.getByLabel('Your name').fill(VIEWER.name);
    await page.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await page.getByLabel('Repeat password').fill(VIEWER.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL(/\/settings\/mfa/);

    await visit(page, '/agents', 'viewer-agents');
    expect(await page.getByRole('link', { name: 'New agent' }).count()).toBe(0);
    await page.locator('.agent-name a').first().click();
    await settled(page);
    expect(await page.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await page.getByLabel('Name').isDisabled()).toBe(true);
    await page.goto('/phone-numbers');
    await settled(page);
    expect(await page.getByRole('button', { name: 'Add number' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    await page.goto('/api-keys');
    await settled(page);
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    await page.goto('/calls');
    await page.locator('tbody tr a.row-link').first().click();
    await page.getByRole('heading', { name: 'Transcript', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Add note' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Escalate' }).count()).toBe(0);
    await context.close();
  }, 90_000);
});
