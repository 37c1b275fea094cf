import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { knowledgeKeys } from '#shared/knowledge/knowledge-keys.ts';
import { startSync } from '#shared/knowledge/knowledge-operations.ts';
import { startDueRefreshes } from '#shared/knowledge/sync-maintenance.ts';
import { getSync } from '#shared/knowledge/sync-records.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import type { Json } from '../../test/functions/api-test-client.ts';
import { waitUntil, useKnowledgePlatform } from '../../test/knowledge-workers.ts';
import { knowledgeDepsFromEnv } from '../lib/knowledge-deps.ts';

/**
 * The knowledge maintenance job as `npm start` runs it: the local platform's scheduler (at a
 * test interval) with the queue pollers, so the watchdog's resumed messages and the refresh's
 * sync go through the real consumers.
 */
const k = useKnowledgePlatform({
  startPollers: true,
  jobIntervalMs: 250,
  queueVisibilitySeconds: 2,
  env: {
    KNOWLEDGE_SYNC_STALL_SECONDS: '3',
  },
});

const textSource = (content: string) => ({ type: 'text', title: 'Opening hours', content });
const syncOf = async (kbId: string, syncId: string): Promise<Json> =>
  (await k.api.get(`/v1/knowledge-bases/${kbId}/syncs/${syncId}`)).body.sync;
const finished = (sync: Json) => !['running', 'indexing'].includes(sync.status);

describe('knowledge maintenance under the local platform', () => {
  it('resumes a sync whose crawl messages were lost, and it completes with every page', async () => {
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'Stalled',
      refresh: 'manual',
      sources: [textSource('We open at 7 on Saturdays.')],
    });
    expect(created.status).toBe(201);
    const kbId = created.body.knowledgeBase.id;
    // The sync's first messages go to a queue nobody reads: as if they were lost in a crash.
    const sqs = createSqsClient({ endpoint: k.platform.env.SQS_ENDPOINT });
    const lost = await sqs.send(new CreateQueueCommand({ QueueName: `lost-${kbId}` }));
    sqs.destroy();
    const deps = knowledgeDepsFromEnv();
    const sync = await startSync(
      { ...deps, queueUrls: { ...deps.queueUrls, knowledgeCrawl: lost.QueueUrl } },
      k.tenantId,
      kbId,
      'api',
    );

    const done = await waitUntil(() => syncOf(kbId, sync.id), finished, 30_000);
    expect(done).toMatchObject({ status: 'completed', fetched: 1, failed: 0, indexVersion: 1 });
    expect((await getSync(dbFromEnv(), kbId, sync.id))?.resumes).toBe(1);
    const search = await k.api.post(`/v1/knowledge-bases/${kbId}/search`, { query: 'Saturday opening' });
    expect(search.body.results[0].text).toContain('7 on Saturdays');
  }, 60_000);

  it('syncs a new daily knowledge base, then refreshes it once its last sync is a day old', async () => {
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'Daily',
      refresh: 'daily',
      sources: [textSource('Parking is free after 6 pm.')],
    });
    expect(created.status).toBe(201);
    const kbId = created.body.knowledgeBase.id;
    const lastSyncId = async () =>
      (await k.api.get(`/v1/knowledge-bases/${kbId}`)).body.knowledgeBase.lastSyncId as string | null;
    // Never synced: due at once, so the schedule runs the first sync.
    const firstId = (await waitUntil(lastSyncId, (id) => !!id, 30_000)) as string;
    const first = await waitUntil(() => syncOf(kbId, firstId), finished, 30_000);
    expect(first).toMatchObject({ status: 'completed', trigger: 'schedule', fetched: 1 });
    // Fresh: not due.
    expect(await startDueRefreshes(knowledgeDepsFromEnv(), createLogger({ level: 'error' }))).toBe(0);

    await dbFromEnv().doc.send(
      new UpdateCommand({
        TableName: dbFromEnv().tableName,
        Key: knowledgeKeys.base(k.tenantId, kbId),
        UpdateExpression: 'SET lastSyncAt = :old',
        ExpressionAttributeValues: { ':old': new Date(Date.now() - 25 * 3_600_000).toISOString() },
      }),
    );
    const refreshId = (await waitUntil(lastSyncId, (id) => id !== firstId, 30_000)) as string;
    const refresh = await waitUntil(() => syncOf(kbId, refreshId), finished, 30_000);
    expect(refresh).toMatchObject({ status: 'completed', trigger: 'schedule', unchanged: 1, embedded: 0 });
  }, 90_000);
});
