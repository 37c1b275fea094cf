import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import {
  createTestTenant,
  startTestPlatform,
  type TestPlatform,
  type TestTenant,
} from '../../test/platform.ts';
import { apiClient } from '../../test/functions/api-test-client.ts';

let platform: TestPlatform;
let tenant: TestTenant;
beforeAll(async () => {
  platform = await startTestPlatform();
  tenant = await createTestTenant();
});
afterAll(async () => {
  await platform?.stop();
});

/** What the SQS API accepts in a body: #x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF. */
const SQS_SAFE_EVERYWHERE = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd]*$/;

describe('text in queue messages', () => {
  it('an escalation reason with emoji and characters above U+FFFD is accepted and arrives intact', async () => {
    const { call } = await createCall(
      dbFromEnv(),
      {
        tenantId: tenant.tenant.id,
        agentId: tenant.agentId,
        direction: 'inbound',
        provider: 'twilio',
        from: '+14155550900',
        to: '+14155550901',
      },
      { maxConcurrentCalls: 10 },
    );
    const reason = 'Caller is 😡 about the bill — 𝄞 Ünïcödé \uffff end';
    const res = await apiClient(platform.apiUrl, tenant.apiKey).post(`/v1/calls/${call.id}/escalations`, {
      reason,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.escalation.reason).toBe(reason);

    const sqs = createSqsClient({ endpoint: platform.env.SQS_ENDPOINT });
    try {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: platform.env.QUEUE_WEBHOOKS_URL,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 5,
        }),
      );
      const raw = (out.Messages ?? [])
        .map((m) => m.Body ?? '')
        .find((b) => b.includes(res.body.escalation.id));
      expect(raw).toBeDefined();
      // Every SQS implementation takes the body, and any JSON parser reads the text back.
      expect(raw).toMatch(SQS_SAFE_EVERYWHERE);
      expect(JSON.parse(raw as string)).toMatchObject({ type: 'call.escalated', reason });
    } finally {
      sqs.destroy();
    }
  });
});
