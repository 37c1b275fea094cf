import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '#shared/api/openapi/operations.ts';
import { ROUTES } from '#shared/http/route-table.ts';
import { repoRoot } from '../../test/infra/test-platform-app.ts';

/**
 * The operation table is the one declaration of a REST route; handlers repeat only their auth and
 * scope (the wrapper needs them without loading the table), and this holds the two together.
 */
describe('the operation table and the handlers', () => {
  it.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
    "%s: the handler's auth and scope are the table's",
    async (_key, route) => {
      const module = (await import(join(repoRoot, route.handler))) as {
        handler?: { routeOptions?: { auth: string; scope?: string } };
      };
      expect(module.handler?.routeOptions, `${route.handler} is not an httpHandler`).toBeDefined();
      expect(module.handler?.routeOptions).toEqual({ auth: route.auth, scope: route.scope });
    },
  );

  it('every API handler file is the handler of exactly one documented operation', () => {
    const files = readdirSync(join(repoRoot, 'functions/api'))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => name.slice(0, -'.ts'.length))
      .sort();
    expect(OPERATIONS.map((op) => op.handler).sort()).toEqual(files);
  });

  it('every route but the provider webhooks is a documented operation', () => {
    const documented = new Set(OPERATIONS.map((op) => `${op.method} ${op.path}`));
    const undocumented = ROUTES.filter(
      (route) => route.auth !== 'signature' && !documented.has(`${route.method} ${route.path}`),
    );
    expect(undocumented).toEqual([]);
    expect(new Set(ROUTES.map((route) => `${route.method} ${route.path}`)).size).toBe(ROUTES.length);
  });
});
