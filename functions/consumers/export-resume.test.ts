import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbFromEnv } from '#shared/data/client.ts';
import { keys } from '#shared/data/keys.ts';
import { parseCsv } from '#shared/exports/csv.ts';
import { getExportJob } from '#shared/exports/export-store.ts';
import { PART_BYTES, runExport } from '#shared/exports/run-export.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { callEndedBatch, endedCallAt } from '../../test/functions/analytics-test-kit.ts';
import { type ApiClient, apiClient } from '../../test/functions/api-test-client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { handler as meterUsage } from './meter-usage.ts';

let platform: TestPlatform;
let owner: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  // No pollers: the test runs the exporter itself, to stop it between parts.
  platform = await startTestPlatform({ env: { CONSUMER_RETRY_BASE_SECONDS: '0' } });
  owner = await createTestTenant();
  api = apiClient(platform.apiUrl, owner.apiKey);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

class Crash extends Error {}

describe('export checkpoints', () => {
  it('shows progress between parts and resumes a crashed run at its checkpoint, each row once', async () => {
    const db = dbFromEnv();
    const ids: string[] = [];
    // S3 takes parts of at least 5 MiB: calls carrying ~390 KB of metadata each (DynamoDB's item
    // limit is 400 KB) fill a part every ~14 calls, so 30 calls make three parts.
    const CALLS = 30;
    const pad = 'x'.repeat(390_000);
    for (let i = 0; i < CALLS; i++) {
      const at = new Date(Date.UTC(2026, 5, 2, 9, i)).toISOString();
      const call = await endedCallAt(db, {
        tenantId: owner.tenant.id,
        agentId: owner.agentId,
        at,
        seconds: 30 + i,
      });
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.call(owner.tenant.id, call.id),
          UpdateExpression: 'SET metadata = :m',
          ExpressionAttributeValues: { ':m': { pad } },
        }),
      );
      expect(await meterUsage(callEndedBatch(call))).toEqual({ batchItemFailures: [] });
      ids.push(call.id);
    }
    const created = await api.post('/v1/exports', {
      type: 'calls',
      format: 'csv',
      from: '2026-06-01',
      to: '2026-06-03',
    });
    expect(created.status).toBe(202);
    const id = created.body.export.id as string;
    const queued = await getExportJob(db, owner.tenant.id, id);
    expect(queued?.rowsExpected).toBe(CALLS);

    // The run dies right after its first part is stored.
    const options = { db, s3: s3FromEnv() };
    await expect(
      runExport(
        {
          ...options,
          onCheckpoint: () => {
            throw new Crash('killed after the first part');
          },
        },
        queued as NonNullable<typeof queued>,
      ),
    ).rejects.toBeInstanceOf(Crash);

    const midway = (await api.get(`/v1/exports/${id}`)).body.export;
    expect(midway.status).toBe('running');
    expect(midway.rowsWritten).toBeGreaterThan(0);
    expect(midway.rowsWritten).toBeLessThan(CALLS);
    expect(midway.percent).toBe(Math.floor((midway.rowsWritten / CALLS) * 100));
    expect(typeof midway.etaSeconds).toBe('number');
    expect(midway.url).toBeUndefined();
    const stored = await getExportJob(db, owner.tenant.id, id);
    expect(stored?.parts).toHaveLength(1);
    expect(stored?.bytesWritten).toBeGreaterThanOrEqual(PART_BYTES);

    // A new delivery continues from the stored part list and cursor.
    expect(await runExport(options, stored as NonNullable<typeof stored>)).toBe(true);
    const done = (await api.get(`/v1/exports/${id}`)).body.export;
    expect(done).toMatchObject({ status: 'completed', rowsWritten: CALLS, percent: 100, etaSeconds: 0 });
    const rows = parseCsv(await (await fetch(done.url)).text());
    const header = rows[0] as string[];
    const idColumn = header.indexOf('id');
    const exported = rows.slice(1).filter((row) => row.length > 1);
    // Every call exactly once: nothing of the crashed run's unsaved page is repeated or lost.
    expect(exported.map((row) => row[idColumn]).sort()).toEqual([...ids].sort());
  }, 120_000);
});
