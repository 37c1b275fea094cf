import type { BrowserContext, Page } from 'playwright-core';
import { ROUTES } from '#shared/http/route-table.ts';

/** True once the sign-in API (issue 15) is in the route table. */
export const SIGN_IN_API_LANDED = ROUTES.some((r) => r.path === '/v1/auth/sign-in');

export interface ContractUser {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'member' | 'viewer';
  mfaEnabled: boolean;
}

/**
 * Until the sign-in API is in the route table: the browser's `/v1` requests carry the tenant's
 * API key (what the session cookie will carry), and `GET /v1/auth/me` answers with the documented
 * shape for the given user. Every other request reaches the real API unchanged.
 */
export async function sessionThroughApiKey(
  context: BrowserContext,
  options: { apiKey: string; user: ContractUser; tenant: { id: string; name: string } },
): Promise<void> {
  await context.route('**/v1/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/v1/auth/me') {
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ user: options.user, tenant: options.tenant, mfaRequired: false }),
      });
      return;
    }
    await route.continue({
      headers: { ...route.request().headers(), authorization: `Bearer ${options.apiKey}` },
    });
  });
}

/** Uncaught page errors and Content-Security-Policy refusals (there must be none). */
export function collectPageProblems(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) found.push(message.text());
  });
  page.on('pageerror', (error) => found.push(`page error: ${error.message}`));
  return found;
}
