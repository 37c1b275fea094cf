import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { emptyUsage, type RealtimeUsage } from '#shared/calls/call-types.ts';
import { addCallUsage, createCall, transitionCall } from '#shared/data/calls.ts';
import type { Db } from '#shared/data/client.ts';
import { putTranscriptTurn } from '#shared/data/transcripts.ts';
import { verifyWebhook } from '#shared/webhooks/signing.ts';

/** Test-only helpers for the post-call consumers: simulated calls, a webhook receiver, waiting. */

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves when none of the queues holds a visible, in-flight or delayed message. */
export async function waitForQueuesDrained(
  sqs: SQSClient,
  queueUrls: string[],
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    'queues to drain',
    async () => {
      for (const url of queueUrls) {
        const out = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        const a = out.Attributes ?? {};
        const pending =
          Number(a.ApproximateNumberOfMessages ?? 0) +
          Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
        if (pending > 0) return undefined;
      }
      return true;
    },
    timeoutMs,
  );
}

export interface SimulatedCall {
  tenantId: string;
  agentId: string;
  /** Connected seconds (answered → ended). 0: the call never connected. */
  seconds: number;
  usage?: Partial<RealtimeUsage>;
  turns?: [role: 'caller' | 'agent', text: string][];
  createdAt?: Date;
}

/** Writes a finished call the way the call path does: created, answered, usage, turns, completed. */
export async function simulateEndedCall(db: Db, input: SimulatedCall) {
  const created = input.createdAt ?? new Date();
  const { call } = await createCall(
    db,
    {
      tenantId: input.tenantId,
      agentId: input.agentId,
      direction: 'inbound',
      provider: 'web',
      from: '+14155550100',
      to: '+14155550199',
      status: 'in_progress',
    },
    { maxConcurrentCalls: 1000, now: created },
  );
  const answeredAt = new Date(created.getTime() + 2000);
  const endedAt = new Date(answeredAt.getTime() + input.seconds * 1000);
  let seq = 0;
  for (const [role, text] of input.turns ?? []) {
    seq += 1;
    await putTranscriptTurn(db, { callId: call.id, seq, role, text, startedAt: answeredAt.toISOString() });
  }
  await addCallUsage(db, input.tenantId, call.id, { ...emptyUsage(), ...input.usage });
  const status = input.seconds > 0 ? 'completed' : 'failed';
  const { call: ended } = await transitionCall(db, input.tenantId, call.id, status, {
    answeredAt: input.seconds > 0 ? answeredAt.toISOString() : undefined,
    endedAt: endedAt.toISOString(),
    durationSeconds: input.seconds,
    endReason: 'caller_hangup',
  });
  return ended;
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  verified: boolean;
}

/**
 * A customer's webhook endpoint on loopback: verifies every request with the secret it is given
 * (as a customer would) and answers with the statuses queued in `respondWith`, then 204.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  let secret = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = req.headers as Record<string, string | undefined>;
      received.push({
        headers: req.headers,
        body,
        json: JSON.parse(body),
        verified: verifyWebhook(secret, headers, body).ok,
      });
      res.writeHead(statuses.shift() ?? 204);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    setSecret(value: string) {
      secret = value;
    },
    respondWith(...next: number[]) {
      statuses.push(...next);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
