import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { listPartitionKeys } from '#shared/knowledge/document-store.ts';
import { knowledgeKeys } from '#shared/knowledge/knowledge-keys.ts';
import {
  knowledgeStorageFromEnv,
  listKeys,
  putJson,
  storageKeys,
} from '#shared/knowledge/knowledge-storage.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Json } from '../../test/functions/api-test-client.ts';
import { startKnowledgeWorkers, waitUntil, useKnowledgePlatform } from '../../test/knowledge-workers.ts';
import { handler } from './publish-knowledge-index.ts';

const k = useKnowledgePlatform({
  queueVisibilitySeconds: 2,
  env: {
    KNOWLEDGE_PURGE_RECHECK_SECONDS: '1',
  },
});

/** The next purge message on the index queue (deleted from it: the test plays the consumer). */
async function nextPurgeMessage(kbId: string): Promise<SQSEvent> {
  const sqs = createSqsClient({ endpoint: k.platform.env.SQS_ENDPOINT });
  const queueUrl = k.platform.env.QUEUE_KNOWLEDGE_INDEX_URL as string;
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of out.Messages ?? []) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        const body = JSON.parse(message.Body ?? '{}');
        if (body.type !== 'knowledge.purge' || body.kbId !== kbId) continue;
        const record = {
          messageId: message.MessageId,
          receiptHandle: message.ReceiptHandle,
          body: message.Body,
          attributes: { ApproximateReceiveCount: '1' },
        };
        return { Records: [record] } as unknown as SQSEvent;
      }
    }
    throw new Error('no purge message arrived');
  } finally {
    sqs.destroy();
  }
}

/** Everything a base left: its DynamoDB partition and its objects under each of its prefixes. */
async function leftovers(kbId: string) {
  const storage = knowledgeStorageFromEnv();
  const objects = (
    await Promise.all(storageKeys.base(k.tenantId, kbId).map((prefix) => listKeys(storage, prefix)))
  ).flat();
  return { items: (await listPartitionKeys(dbFromEnv(), kbId)).length, objects };
}

describe('deleting a knowledge base', () => {
  it('purges its documents, chunks and index versions, and a final pass removes what in-flight work wrote after', async () => {
    const workers = startKnowledgeWorkers(k.platform);
    const created = await k.api.post('/v1/knowledge-bases', {
      name: 'To delete',
      sources: [{ type: 'text', title: 'Parking', content: 'Free parking behind the building, code P-42.' }],
      refresh: 'manual',
    });
    const kbId = created.body.knowledgeBase.id as string;
    const syncId = (await k.api.post(`/v1/knowledge-bases/${kbId}/syncs`)).body.sync.id as string;
    const sync = await waitUntil(
      async (): Promise<Json> => (await k.api.get(`/v1/knowledge-bases/${kbId}/syncs/${syncId}`)).body.sync,
      (s) => s.status === 'completed',
    );
    expect(sync).toMatchObject({ fetched: 1, chunks: 1, indexVersion: 1 });
    await workers.stop();
    const before = await leftovers(kbId);
    expect(before.items).toBeGreaterThan(0);
    expect(before.objects.some((key) => key.startsWith(`chunks/${k.tenantId}/${kbId}/`))).toBe(true);
    expect(before.objects.some((key) => key.startsWith(`index/${k.tenantId}/${kbId}/v1/`))).toBe(true);

    expect((await k.api.delete(`/v1/knowledge-bases/${kbId}`)).status).toBe(204);
    expect(await handler(await nextPurgeMessage(kbId))).toEqual({ batchItemFailures: [] });
    expect(await leftovers(kbId)).toEqual({ items: 0, objects: [] });

    // A crawl that was mid-way at the delete stores its page and chunks after the first pass.
    const storage = knowledgeStorageFromEnv();
    await putJson(storage, storageKeys.chunks(k.tenantId, kbId, 'late'), { chunks: [] });
    await dbFromEnv().doc.send(
      new PutCommand({
        TableName: dbFromEnv().tableName,
        Item: { ...knowledgeKeys.document(kbId, 'https://late.example/'), url: 'https://late.example/' },
      }),
    );
    expect(await leftovers(kbId)).toMatchObject({ items: 1, objects: [expect.stringContaining('late')] });

    const final = await nextPurgeMessage(kbId);
    expect(JSON.parse(final.Records[0]?.body ?? '{}')).toMatchObject({
      type: 'knowledge.purge',
      final: true,
    });
    expect(await handler(final)).toEqual({ batchItemFailures: [] });
    expect(await leftovers(kbId)).toEqual({ items: 0, objects: [] });
  }, 120_000);
});
