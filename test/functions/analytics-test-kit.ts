import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import type { CallTelemetry } from '#shared/calls/call-types.ts';
import { patchCall } from '#shared/data/calls.ts';
import type { Db } from '#shared/data/client.ts';
import { tenantPk } from '#shared/data/keys.ts';
import { newId } from '#shared/ids/ids.ts';
import { simulateEndedCall } from './post-call-test-kit.ts';

/** Test-only helpers for analytics: calls with telemetry, consumer invocations, counter snapshots. */

/** An SQS batch of one `call.ended` (as Lambda receives it), delivered `attempt` times so far. */
export function callEndedBatch(
  call: { tenantId: string; id: string; agentId: string; status: string },
  options: { eventId?: string; attempt?: number } = {},
): SQSEvent {
  const body = {
    schemaVersion: 1,
    eventId: options.eventId ?? newId('event'),
    occurredAt: new Date().toISOString(),
    type: 'call.ended',
    tenantId: call.tenantId,
    callId: call.id,
    agentId: call.agentId,
    status: call.status,
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: String(options.attempt ?? 1),
          SentTimestamp: String(Date.now()),
          SenderId: 'test',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** A finished call that started at `at`, with latency telemetry and a transcript to summarize. */
export async function endedCallAt(
  db: Db,
  input: { tenantId: string; agentId: string; at: string; seconds: number; telemetry?: CallTelemetry },
) {
  const call = await simulateEndedCall(db, {
    tenantId: input.tenantId,
    agentId: input.agentId,
    seconds: input.seconds,
    createdAt: new Date(input.at),
    turns: [
      ['agent', 'Hello, how can I help?'],
      ['caller', 'I would like to book a table for two tonight at eight.'],
      ['agent', 'Booked: two people at eight tonight.'],
    ],
  });
  if (input.telemetry) await patchCall(db, input.tenantId, call.id, { telemetry: input.telemetry });
  return { ...call, telemetry: input.telemetry };
}

/** Every analytics counter item of a tenant, keyed by bucket, numbers only. */
export async function analyticsSnapshot(
  db: Db,
  tenantId: string,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'STATS#an#' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const counters: Record<string, number> = {};
      for (const [k, v] of Object.entries(item)) if (typeof v === 'number' && v !== 0) counters[k] = v;
      if (Object.keys(counters).length) out[String(item.sk)] = counters;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}
