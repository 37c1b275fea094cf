import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { chunkDocument } from '#shared/knowledge/crawl/chunk-text.ts';
import { extractHtml } from '#shared/knowledge/crawl/extract-html.ts';
import { putDocument } from '#shared/knowledge/document-store.ts';
import { storeChunks } from '#shared/knowledge/index/chunk-artifacts.ts';
import { createEmbedder } from '#shared/knowledge/index/embeddings.ts';
import { type IndexRow, writeIndexVersion } from '#shared/knowledge/index/lance-index.ts';
import { loadChunks } from '#shared/knowledge/index/chunk-artifacts.ts';
import {
  createKnowledgeBase,
  getKnowledgeBase,
  replaceKnowledgeBase,
} from '#shared/knowledge/knowledge-base-store.ts';
import { knowledgeStorageFromEnv } from '#shared/knowledge/knowledge-storage.ts';
import { type FakeEmbeddings, startFakeEmbeddings } from '../../../fakes/knowledge/embeddings-server.ts';
import type { ClientEvent, FakeRealtimeConnection } from '../../../fakes/realtime/scripted-server.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

let harness: MediaHarness;
let embeddings: FakeEmbeddings;
let media: Awaited<ReturnType<MediaHarness['startService']>>;

const PAGES = {
  'https://acme.example/pricing':
    '<title>Pricing</title><main><h1>Pricing</h1><h2>Pro plan</h2><p>The Pro plan costs 49 euros per month.</p></main>',
  'https://acme.example/hours':
    '<title>Opening hours</title><main><h1>Hours</h1><p>We are open Monday to Friday from 8 to 18.</p></main>',
  'https://acme.example/parking':
    '<title>Parking</title><main><h1>Parking</h1><p>Free parking is behind the building.</p></main>',
};

/** A knowledge base with one published index version, built the way a sync builds it. */
async function seedKnowledgeBase(version: number, pages: Record<string, string>) {
  const storage = knowledgeStorageFromEnv();
  const embed = createEmbedder({
    apiKey: embeddings.apiKey,
    baseUrl: embeddings.baseUrl,
    model: 'text-embedding-3-small',
    dimensions: 64,
  });
  const kb = await createKnowledgeBase(harness.db, harness.tenantId, {
    name: 'Acme',
    sources: [],
    refresh: 'manual',
  });
  const rows: IndexRow[] = [];
  for (const [url, html] of Object.entries(pages)) {
    const doc = extractHtml(html, url);
    const contentHash = Buffer.from(url).toString('hex').slice(0, 60);
    await storeChunks(
      storage,
      { tenantId: harness.tenantId, kbId: kb.id, contentHash },
      doc.title,
      chunkDocument(doc),
      embed,
    );
    await putDocument(harness.db, kb.id, {
      url,
      sourceId: 'src',
      status: 'indexed',
      contentHash,
      chunkCount: 1,
      title: doc.title,
    });
    const { chunks } = await loadChunks(storage, { tenantId: harness.tenantId, kbId: kb.id, contentHash });
    chunks.forEach((c, i) => {
      rows.push({
        id: `${contentHash}:${i}`,
        url,
        title: doc.title,
        heading: c.heading,
        text: c.text,
        vector: c.vector,
      });
    });
  }
  await writeIndexVersion(storage, { tenantId: harness.tenantId, kbId: kb.id, version }, rows);
  await replaceKnowledgeBase(harness.db, kb, { ...kb, indexVersion: version });
  return kb;
}

const outputs = (model: FakeRealtimeConnection) =>
  model.received.filter(
    (e) => (e.item as { type?: string } | undefined)?.type === 'function_call_output',
  ) as (ClientEvent & {
    item: { call_id: string; output: string };
  })[];

beforeAll(async () => {
  harness = await startMediaHarness();
  embeddings = await startFakeEmbeddings({ apiKey: 'sk-knowledge-test' });
  media = await harness.startService(
    {
      OPENAI_API_KEY: embeddings.apiKey,
      OPENAI_BASE_URL: embeddings.baseUrl,
      OPENAI_EMBEDDING_DIMENSIONS: '64',
    },
    { toolFillerAfterMs: 5_000 },
  );
}, 60_000);
afterAll(async () => {
  await embeddings?.close();
  await harness?.stop();
});

describe('search_knowledge in a call', () => {
  it('offers the tool, returns the fact with its URL, cites it in the transcript, and keeps the pinned version', async () => {
    const kb = await seedKnowledgeBase(1, PAGES);
    const agent = await harness.newAgent({ knowledgeBaseIds: [kb.id] });
    const { call, token } = await harness.newCall({ agentId: agent.id });
    const before = harness.realtime.connections.length;
    const client = await harness.connect(media.streamUrl, token, call, { autoPlay: true });
    const model = await harness.realtime.nextConfigured(before);
    const update = (await model.waitFor('session.update')) as unknown as {
      session: { tools: { name: string }[] };
    };
    expect(update.session.tools.map((t) => t.name)).toEqual(['end_call', 'search_knowledge']);
    await model.waitFor('response.create');
    const session = media.service.registry.get(call.id) as CallSession;

    // A newer version is published mid-call: this call keeps searching the one it started with.
    const latest = (await getKnowledgeBase(harness.db, harness.tenantId, kb.id)) as NonNullable<
      Awaited<ReturnType<typeof getKnowledgeBase>>
    >;
    await replaceKnowledgeBase(harness.db, latest, { ...latest, indexVersion: 2 });

    model.responseCreated('r1');
    model.functionCall('r1', 'call_kb', 'search_knowledge', { query: 'How much is the Pro plan per month?' });
    model.responseDone('r1');
    await model.waitFor(
      'conversation.item.create',
      (e) => (e.item as { type?: string })?.type === 'function_call_output',
    );
    const [out] = outputs(model);
    const parsed = JSON.parse(out?.item.output ?? '{}') as {
      results: { url: string; text: string; title: string }[];
    };
    expect(parsed.results[0]).toMatchObject({ url: 'https://acme.example/pricing', title: 'Pricing' });
    expect(parsed.results[0]?.text).toContain('49 euros per month');
    expect(out?.item.output.length).toBeLessThan(1_200 * 4 + 200);
    await model.waitFor(
      'response.create',
      () => model.received.filter((e) => e.type === 'response.create').length >= 2,
    );

    client.stop();
    await session.closed;
    const turns = await listTranscriptTurns(harness.db, call.id);
    const toolTurn = turns.find((turn) => turn.role === 'tool');
    expect(toolTurn?.text).toContain('search_knowledge');
    expect(toolTurn?.text).toContain('sources: https://acme.example/pricing');
  });

  it('rejects a knowledge base of another tenant or that does not exist on the agent (API check)', async () => {
    const { checkAgentKnowledgeBases } = await import('#shared/knowledge/agent-knowledge.ts');
    await expect(
      checkAgentKnowledgeBases(harness.db, harness.tenantId, ['kb_01J0000000000000000000000Z']),
    ).rejects.toMatchObject({
      code: 'validation_error',
      details: [{ path: 'knowledgeBaseIds.0' }],
    });
  });
});
