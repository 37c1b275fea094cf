import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { patchCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { checkAndShoot } from './console-stack.ts';

/**
 * The call as if its agent had tried two warm transfers (stored the way the media service stores
 * them): the person declined the first, took the second. The call page lists both, in order, with
 * how each ended and how long it took.
 */
export async function showsWarmTransfers(page: Page, callId: string): Promise<void> {
  const call = (await (await page.request.get(`/v1/calls/${callId}`)).json()).call;
  const start = Date.parse(call.createdAt);
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
  await patchCall(dbFromEnv(), call.tenantId, callId, {
    transfers: [
      {
        to: '+14155550142',
        mode: 'warm',
        outcome: 'declined',
        startedAt: at(1),
        answeredAt: at(7),
        endedAt: at(19),
      },
      {
        to: '+14155550143',
        mode: 'warm',
        outcome: 'answered',
        startedAt: at(30),
        answeredAt: at(34),
        endedAt: at(52),
      },
    ],
  });
  await page.reload();
  const attempts = page.getByRole('list', { name: 'Warm transfer attempts' }).locator('li');
  await attempts.nth(1).waitFor({ timeout: 20_000 });
  expect(await attempts.allTextContents()).toEqual([
    expect.stringMatching(
      /^Declined by the person Warm transfer to \+1 415 555 0142.*picked up after 6s · back with the agent after 18s$/,
    ),
    expect.stringMatching(
      /^Handed over Warm transfer to \+1 415 555 0143.*picked up after 4s · connected after 22s$/,
    ),
  ]);
  await checkAndShoot(page, 'call-detail-transfers', { fullPage: true });
}
