import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#shared/http/route-table.ts';

/** Everything but provider webhooks (they are signed by Twilio/Stripe, not called by API clients). */
const API_ROUTES = ROUTES.filter((route) => route.auth !== 'signature');
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import type { Json } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let document: Json;
beforeAll(async () => {
  platform = await startTestPlatform();
  const res = await fetch(`${platform.apiUrl}/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/json');
  document = await res.json();
});
afterAll(async () => {
  await platform?.stop();
});

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validated = await SwaggerParser.validate(structuredClone(document));
    expect(Object.keys(validated.paths ?? {})).not.toHaveLength(0);
  });

  it('documents exactly the routes the gateway serves', () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = API_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('derives request schemas from the validators: unknown fields rejected, required fields listed', () => {
    const schemas = document.components.schemas;
    expect(schemas.CreateAgentRequest.additionalProperties).toBe(false);
    expect(schemas.CreateAgentRequest.required.sort()).toEqual(['instructions', 'name']);
    expect(schemas.CreateCallRequest.properties.to.pattern).toBeTruthy();
    expect(schemas.UpdateTenantRequest.properties).not.toHaveProperty('billingStatus');
    const listCalls = document.paths['/v1/calls'].get;
    expect(listCalls.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['agentId', 'cursor', 'direction', 'from', 'limit', 'since', 'status', 'to', 'until'].sort(),
    );
    expect(listCalls.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ListCallsResponse',
    );
  });

  it('documents auth and the error shape on every authenticated operation', () => {
    for (const item of Object.values(document.paths as Record<string, Record<string, Json>>)) {
      for (const operation of Object.values(item)) {
        if (operation.security.length === 0) continue;
        expect(operation.responses['401'].content['application/json'].schema.$ref).toBe(
          '#/components/schemas/Error',
        );
        expect(operation.responses['429'].headers).toHaveProperty('retry-after');
      }
    }
  });
});

describe('GET /docs', () => {
  it('renders a self-contained HTML reference of every operation', async () => {
    const res = await fetch(`${platform.apiUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const route of API_ROUTES) expect(html).toContain(`<code>${route.path}</code>`);
    expect(html).toContain('id="model-Call"');
    // Offline-safe: no scripts, stylesheets or images from anywhere.
    expect(html).not.toMatch(/<script|<link|src=/i);
  });
});
