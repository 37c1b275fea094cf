import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretStore } from '#shared/config/secrets.ts';
import { createApiKey, deleteApiKey } from '#shared/data/api-keys.ts';
import { createDb, dbFromEnv } from '#shared/data/client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { apiClient } from '../../test/functions/api-test-client.ts';
import { inviteAndAccept } from '../../test/functions/people-test-kit.ts';
import { authorizeApiKey, handler } from './authorize-api-key.ts';

let platform: TestPlatform;
let tenant: TestTenant;

beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant();
});
afterAll(async () => {
  await platform?.stop();
});

/** The HTTP API v2 REQUEST authorizer event, as API Gateway sends it. */
function authorizerEvent(headers: Record<string, string>): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/$default/GET/v1/agents',
    identitySource: Object.values(headers),
    routeKey: 'GET /v1/agents',
    rawPath: '/v1/agents',
    rawQueryString: '',
    cookies: [],
    headers,
    queryStringParameters: {},
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: 'GET',
        path: '/v1/agents',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: 'GET /v1/agents',
      stage: '$default',
      time: '22/Nov/2026:05:00:00 +0000',
      timeEpoch: 1_795_323_600_000,
    },
    pathParameters: {},
    stageVariables: {},
  };
}

describe('the API key authorizer', () => {
  it('allows a live tenant key and passes the tenant to the integration', async () => {
    const result = await handler(authorizerEvent({ authorization: `Bearer ${tenant.apiKey}` }));
    expect(result).toEqual({
      isAuthorized: true,
      context: {
        kind: 'apiKey',
        tenantId: tenant.tenant.id,
        keyId: expect.stringMatching(/^key_/),
        scopes: 'admin',
      },
    });
  });

  it('accepts the key in x-api-key and in a mixed-case header name', async () => {
    expect(await handler(authorizerEvent({ 'x-api-key': tenant.apiKey }))).toMatchObject({
      isAuthorized: true,
    });
    expect(await handler(authorizerEvent({ Authorization: `Bearer ${tenant.apiKey}` }))).toMatchObject({
      isAuthorized: true,
    });
  });

  it('allows the platform admin key', async () => {
    const result = await handler(
      authorizerEvent({ authorization: `Bearer ${platform.secrets.ADMIN_API_KEY}` }),
    );
    expect(result).toEqual({ isAuthorized: true, context: { kind: 'admin' } });
  });

  it.each([
    ['no key', {}],
    ['an unknown key', { authorization: 'Bearer sk_not_a_real_key' }],
    ['a malformed Authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty x-api-key', { 'x-api-key': '  ' }],
  ])('denies %s', async (_name, headers) => {
    expect(await handler(authorizerEvent(headers))).toEqual({ isAuthorized: false });
  });

  it('denies a key as soon as it is deleted', async () => {
    const db = dbFromEnv();
    const { key, secret } = await createApiKey(db, {
      tenantId: tenant.tenant.id,
      name: 'short-lived',
      scopes: ['read'],
    });
    expect(await handler(authorizerEvent({ authorization: `Bearer ${secret}` }))).toMatchObject({
      isAuthorized: true,
    });
    await deleteApiKey(db, tenant.tenant.id, key.id);
    expect(await handler(authorizerEvent({ authorization: `Bearer ${secret}` }))).toEqual({
      isAuthorized: false,
    });
  });

  it('fails (so API Gateway caches nothing) when the table cannot be read', async () => {
    const unreachable = createDb({ tableName: 'no-such-table', endpoint: platform.env.DYNAMODB_ENDPOINT });
    await expect(
      authorizeApiKey(
        { db: unreachable, secrets: createSecretStore({ env: {} }) },
        { authorization: `Bearer ${tenant.apiKey}` },
      ),
    ).rejects.toThrow();
  });
});

describe('the authorizer and sessions', () => {
  it('allows a live session by bearer token or cookie, with its tenant and role; denies it once signed out', async () => {
    const api = apiClient(platform.apiUrl, tenant.apiKey);
    const user = await inviteAndAccept(platform.apiUrl, api, 'viewer');
    const expected = {
      isAuthorized: true,
      context: {
        kind: 'user',
        tenantId: tenant.tenant.id,
        userId: user.id,
        role: 'viewer',
        sessionId: expect.stringMatching(/^ses_/),
      },
    };
    expect(await handler(authorizerEvent({ authorization: `Bearer ${user.accessToken}` }))).toEqual(expected);
    const cookieEvent = { ...authorizerEvent({}), cookies: [`aic_access=${user.accessToken}`] };
    expect(await handler(cookieEvent)).toEqual(expected);
    expect(await handler(authorizerEvent({ cookie: `other=1; aic_access=${user.accessToken}` }))).toEqual(
      expected,
    );
    expect(
      await handler(authorizerEvent({ authorization: `Bearer ${user.accessToken.slice(0, -2)}xx` })),
    ).toEqual({ isAuthorized: false });
    expect((await user.api.post('/v1/auth/sign-out')).status).toBe(204);
    expect(await handler(authorizerEvent({ authorization: `Bearer ${user.accessToken}` }))).toEqual({
      isAuthorized: false,
    });
  });
});
