import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBaseSchema, SyncSchema } from '#shared/knowledge/knowledge-schemas.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { type ApiClient, apiClient, expectError } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let api: ApiClient;
let other: ApiClient;
beforeAll(async () => {
  // As deployed: private and loopback targets refused.
  platform = await startTestPlatform({ env: { OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false' } });
  api = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
  other = apiClient(platform.apiUrl, (await createTestTenant()).apiKey);
});
afterAll(async () => {
  await platform?.stop();
});

const text = { type: 'text', title: 'Hours', content: 'Open 8 to 18.' };
const file = { type: 'file', fileName: 'manual.pdf', contentType: 'application/pdf', sizeBytes: 1234 };

describe('knowledge bases API', () => {
  it('creates, reads, lists, patches (source ids kept) and deletes', async () => {
    const created = await api.post('/v1/knowledge-bases', {
      name: 'Docs',
      sources: [text, file],
      refresh: 'weekly',
    });
    expect(created.status).toBe(201);
    const kb = KnowledgeBaseSchema.parse(created.body.knowledgeBase);
    expect(kb).toMatchObject({
      name: 'Docs',
      refresh: 'weekly',
      indexVersion: null,
      documentCount: 0,
      lastSyncStatus: null,
    });
    expect(kb.id).toMatch(/^kb_/);
    const fileSource = kb.sources.find((s) => s.type === 'file');
    expect(fileSource).toMatchObject({ uploaded: false, fileName: 'manual.pdf' });
    expect(created.body.uploads).toEqual([
      {
        sourceId: fileSource?.id,
        method: 'PUT',
        url: expect.stringContaining('manual.pdf'),
        headers: { 'content-type': 'application/pdf', 'content-length': '1234' },
        expiresAt: expect.any(String),
      },
    ]);

    expect((await api.get(`/v1/knowledge-bases/${kb.id}`)).body.knowledgeBase).toEqual(kb);
    expect((await api.get('/v1/knowledge-bases')).body.items.map((k: { id: string }) => k.id)).toContain(
      kb.id,
    );

    const patched = await api.patch(`/v1/knowledge-bases/${kb.id}`, {
      name: 'Docs v2',
      sources: [file, { type: 'text', title: 'Parking', content: 'Behind the building.' }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.knowledgeBase.name).toBe('Docs v2');
    expect(patched.body.knowledgeBase.sources[0].id).toBe(fileSource?.id);
    expect(patched.body.knowledgeBase.sources[1].id).not.toBe(kb.sources[0]?.id);

    expect((await api.delete(`/v1/knowledge-bases/${kb.id}`)).status).toBe(204);
    expectError(await api.get(`/v1/knowledge-bases/${kb.id}`), 404, 'not_found');
    expectError(await api.delete(`/v1/knowledge-bases/${kb.id}`), 404, 'not_found');
  });

  it('answers bad input with 400 naming the problem', async () => {
    const bad = async (body: unknown, path: string) => {
      const res = await api.post('/v1/knowledge-bases', body);
      expectError(res, 400, 'validation_error');
      expect(JSON.stringify(res.body.error.details)).toContain(path);
      return res;
    };
    await bad({ name: 'x', sources: [{ type: 'website', url: 'ftp://example.com/' }] }, 'sources.0.url');
    await bad({ name: 'x', sources: [{ type: 'website', url: 'not a url' }] }, 'sources.0.url');
    const privateUrl = await bad(
      { name: 'x', sources: [{ type: 'website', url: 'http://127.0.0.1:8080/' }] },
      'sources.0.url',
    );
    expect(JSON.stringify(privateUrl.body.error.details)).toContain('private or local address');
    await bad(
      { name: 'x', sources: [{ type: 'sitemap', url: 'http://10.1.2.3/sitemap.xml' }] },
      'sources.0.url',
    );
    const type = await bad(
      { name: 'x', sources: [{ ...file, contentType: 'application/zip' }] },
      'sources.0.contentType',
    );
    expect(JSON.stringify(type.body.error.details)).toContain('unsupported file type');
    const size = await bad(
      { name: 'x', sources: [{ ...file, sizeBytes: 21 * 1024 * 1024 }] },
      'sources.0.sizeBytes',
    );
    expect(JSON.stringify(size.body.error.details)).toContain('20 MB');
    await bad({ name: 'x', sources: [{ ...file, fileName: '../etc/passwd' }] }, 'sources.0.fileName');
    await bad({ name: 'x', refresh: 'hourly' }, 'refresh');
    await bad(
      { name: 'x', sources: [{ type: 'website', url: 'https://example.com', maxPages: 0 }] },
      'sources.0.maxPages',
    );
  });

  it('keeps tenants apart and refuses a second sync while one runs', async () => {
    const kb = (await api.post('/v1/knowledge-bases', { name: 'Mine', sources: [text] })).body.knowledgeBase;
    expectError(await other.get(`/v1/knowledge-bases/${kb.id}`), 404, 'not_found');
    expectError(await other.post(`/v1/knowledge-bases/${kb.id}/syncs`), 404, 'not_found');
    expectError(
      await other.post(`/v1/knowledge-bases/${kb.id}/search`, { query: 'hours' }),
      404,
      'not_found',
    );
    expect((await other.get('/v1/knowledge-bases')).body.items).toEqual([]);

    const started = await api.post(`/v1/knowledge-bases/${kb.id}/syncs`);
    expect(started.status).toBe(202);
    const sync = SyncSchema.parse(started.body.sync);
    expect(sync).toMatchObject({
      status: 'running',
      pagesDiscovered: 1,
      percent: 0,
      etaSeconds: null,
      errors: [],
    });
    const again = await api.post(`/v1/knowledge-bases/${kb.id}/syncs`);
    expectError(again, 409, 'conflict');
    expect(again.body.error.details).toEqual({ reason: 'sync_running' });
    expect((await api.get(`/v1/knowledge-bases/${kb.id}/syncs/${sync.id}`)).body.sync).toMatchObject({
      id: sync.id,
      status: 'running',
    });
    expectError(
      await api.get(`/v1/knowledge-bases/${kb.id}/syncs/sync_01J0000000000000000000000Z`),
      404,
      'not_found',
    );
    expectError(await other.get(`/v1/knowledge-bases/${kb.id}/syncs/${sync.id}`), 404, 'not_found');
    expect((await api.get(`/v1/knowledge-bases/${kb.id}/documents`)).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('lets agents use only their own knowledge bases', async () => {
    const kb = (await api.post('/v1/knowledge-bases', { name: 'For agents', sources: [text] })).body
      .knowledgeBase;
    const agent = { name: 'Desk', instructions: 'Help.' };
    const ok = await api.post('/v1/agents', { ...agent, knowledgeBaseIds: [kb.id] });
    expect(ok.status).toBe(201);
    expect(ok.body.agent.knowledgeBaseIds).toEqual([kb.id]);
    const foreign = await other.post('/v1/agents', { ...agent, knowledgeBaseIds: [kb.id] });
    expectError(foreign, 400, 'validation_error');
    expect(foreign.body.error.details).toEqual([
      { path: 'knowledgeBaseIds.0', message: expect.stringContaining(kb.id) },
    ]);
    expectError(
      await api.patch(`/v1/agents/${ok.body.agent.id}`, { knowledgeBaseIds: ['kb_nope'] }),
      400,
      'validation_error',
    );
    const cleared = await api.patch(`/v1/agents/${ok.body.agent.id}`, { knowledgeBaseIds: null });
    expect(cleared.body.agent).not.toHaveProperty('knowledgeBaseIds');
  });
});
