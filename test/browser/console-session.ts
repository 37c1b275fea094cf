import type { Page } from 'playwright-core';
import { totpCode } from '#shared/people/totp.ts';

/** Uncaught page errors and Content-Security-Policy refusals (there must be none). */
export function collectPageProblems(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) found.push(message.text());
  });
  page.on('pageerror', (error) => found.push(`page error: ${error.message}`));
  return found;
}

/**
 * The authenticator app: the code of the next 30 s step. Each code is accepted once (no replay),
 * and the next step is within the ±1 step window, so a test never waits for the clock.
 */
export function nextTotp(secret: string, stepsAhead = 1): string {
  return totpCode(secret, Date.now() + stepsAhead * 30_000);
}

/** A tenant with its first owner's invitation, as the platform admin creates it. */
export async function createTenantWithOwner(apiUrl: string, adminKey: string, ownerEmail: string) {
  const response = await fetch(`${apiUrl}/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Acme Dental', ownerEmail }),
  });
  if (response.status !== 201)
    throw new Error(`tenant not created: ${response.status} ${await response.text()}`);
  return (await response.json()) as {
    tenant: { id: string };
    ownerInvitation: { token: string; url: string };
  };
}
