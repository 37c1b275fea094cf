import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let api: ApiClient;
let admin: ApiClient;
let tenantId: string;
let agentId: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  const tenant = await createTestTenant();
  api = apiClient(platform.apiUrl, tenant.apiKey);
  admin = apiClient(platform.apiUrl, platform.secrets.ADMIN_API_KEY);
  tenantId = tenant.tenant.id;
  agentId = tenant.agentId;
});
afterAll(async () => {
  await platform?.stop();
});

const tool = (url: string) => ({
  type: 'http',
  name: 'lookup',
  description: 'Looks something up.',
  parameters: { type: 'object' },
  url,
});
const agentWith = (fields: Record<string, unknown>) => ({ name: 'Desk', instructions: 'Help.', ...fields });
const paths = (body: { error: { details: { path: string }[] } }) => body.error.details.map((d) => d.path);

describe('tool and webhook URLs are checked when saved', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/v2/credentials/abc',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://2852039166/',
    'http://metadata.google.internal/computeMetadata/v1/',
  ])('refuses a tool at %s with 400 naming the field, in every stage', async (url) => {
    const res = await api.post('/v1/agents', agentWith({ tools: [tool('https://ok.example/x'), tool(url)] }));
    expectError(res, 400, 'validation_error');
    expect(paths(res.body)).toEqual(['tools.1.url']);
  });

  it('refuses metadata targets on PATCH of an agent and of a tenant webhook', async () => {
    const patched = await api.patch(`/v1/agents/${agentId}`, {
      webhookUrl: 'http://169.254.169.254/hook',
      tools: [tool('http://0251.0376.0251.0376/')],
    });
    expectError(patched, 400, 'validation_error');
    expect(paths(patched.body).sort()).toEqual(['tools.0.url', 'webhookUrl']);
    const tenant = await admin.patch(`/v1/tenants/${tenantId}`, { webhookUrl: 'http://[fe80::1]/hook' });
    expectError(tenant, 400, 'validation_error');
    expect(paths(tenant.body)).toEqual(['webhookUrl']);
  });

  it('accepts loopback only where the stage allows private targets', async () => {
    const local = await api.post('/v1/agents', agentWith({ tools: [tool('http://127.0.0.1:9000/tool')] }));
    expect(local.status).toBe(201);
    platform.reconfigure({ OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      const refused = await api.post(
        '/v1/agents',
        agentWith({ tools: [tool('http://127.0.0.1:9000/tool')] }),
      );
      expectError(refused, 400, 'validation_error');
      expect(paths(refused.body)).toEqual(['tools.0.url']);
      const named = await api.post('/v1/agents', agentWith({ tools: [tool('https://tools.example.com/x')] }));
      expect(named.status).toBe(201);
    } finally {
      platform.reconfigure({ OUTBOUND_ALLOW_PRIVATE_TARGETS: undefined });
    }
  });
});
