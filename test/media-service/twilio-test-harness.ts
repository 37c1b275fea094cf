import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call } from '#shared/calls/call-types.ts';
import { newStreamTokenId, signStreamToken } from '#shared/calls/stream-token.ts';
import { loadEnv } from '#shared/config/env.ts';
import { createSecretStore } from '#shared/config/secrets.ts';
import { createAgent } from '#shared/data/agents.ts';
import { createCall, getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { type FakeRealtimeServer, startFakeRealtime } from '../../fakes/realtime/scripted-server.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../../fakes/twilio/media-client.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../platform.ts';
import {
  createMediaService,
  type MediaService,
  type MediaServiceOptions,
} from '../../media-service/src/media-service.ts';

/**
 * Test wiring for media-service call tests: the test platform (DynamoDB Local + SQS), a fake
 * realtime server, and media services started in-process on port 0. Test-only.
 */
export interface MediaHarness {
  platform: TestPlatform;
  realtime: FakeRealtimeServer;
  tenantId: string;
  agentId: string;
  /** The tenant's API key, for tests that go through the public API. */
  apiKey: string;
  db: ReturnType<typeof dbFromEnv>;
  startService(
    env?: Record<string, string>,
    options?: Partial<MediaServiceOptions>,
  ): Promise<{ service: MediaService; streamUrl: string; baseUrl: string }>;
  newAgent(fields?: Partial<Agent>): Promise<Agent>;
  /** A call record as the voice webhook creates it, plus a stream token for it. */
  newCall(options?: {
    agentId?: string;
    callSid?: string;
    expSeconds?: number;
  }): Promise<{ call: Call; token: string }>;
  connect(
    streamUrl: string,
    token: string,
    call: Call,
    options?: { autoPlay?: boolean; callSid?: string },
  ): Promise<TwilioMediaClient>;
  callRecord(callId: string): Promise<Call | undefined>;
  /**
   * Call events for `callId` on the webhooks queue (call.started and call.ended go there): waits
   * for at least `count`, then keeps reading until the queue has nothing more to give.
   */
  eventsFor(
    callId: string,
    count: number,
  ): Promise<{ type: string; callId: string; [key: string]: unknown }[]>;
  stop(): Promise<void>;
}

export async function startMediaHarness(env: Record<string, string> = {}): Promise<MediaHarness> {
  const platform = await startTestPlatform({ env });
  const realtime = await startFakeRealtime();
  const { tenant, agentId, apiKey } = await createTestTenant({
    maxConcurrentCalls: 20,
    requestsPerSecond: 1000,
  });
  const db = dbFromEnv();
  const sqs = sqsFromEnv();
  const services: MediaService[] = [];
  const seenEvents: { type: string; callId: string; [key: string]: unknown }[] = [];

  const harness: MediaHarness = {
    platform,
    realtime,
    tenantId: tenant.id,
    agentId,
    apiKey,
    db,
    async startService(overrides = {}, options = {}) {
      const serviceEnv = loadEnv({
        ...platform.env,
        OPENAI_REALTIME_URL: realtime.url,
        MEDIA_MODEL_POOL_SIZE: '0',
        ...overrides,
      });
      // Twilio REST only where a test points it at the fake; never the real API.
      const secretEnv = { ...platform.env, OPENAI_API_KEY: 'sk-test', TWILIO_AUTH_TOKEN: '', ...overrides };
      const service = createMediaService({
        env: serviceEnv,
        logger: createLogger({ level: 'error' }),
        db,
        sqs,
        queueUrls: queueUrlsFromEnv(),
        secrets: createSecretStore({ env: secretEnv }),
        ...options,
      });
      services.push(service);
      const port = await service.listen(0, '127.0.0.1');
      return {
        service,
        streamUrl: `ws://127.0.0.1:${port}/twilio/stream`,
        baseUrl: `http://127.0.0.1:${port}`,
      };
    },
    newAgent: (fields = {}) =>
      createAgent(db, tenant.id, {
        name: 'Harness agent',
        instructions: 'You are a helpful test agent.',
        voice: 'marin',
        tools: [],
        maxDurationSeconds: 600,
        idleTimeoutSeconds: 60,
        ...fields,
      }),
    async newCall(options = {}) {
      const { call } = await createCall(
        db,
        {
          tenantId: tenant.id,
          agentId: options.agentId ?? agentId,
          direction: 'inbound',
          provider: 'twilio',
          from: '+14155550100',
          to: '+14155550199',
          status: 'ringing',
          providerCallId: options.callSid,
        },
        { maxConcurrentCalls: 20 },
      );
      const token = signStreamToken(
        {
          callId: call.id,
          tenantId: call.tenantId,
          agentId: call.agentId,
          provider: 'twilio',
          exp: Math.floor(Date.now() / 1000) + (options.expSeconds ?? 60),
          jti: newStreamTokenId(),
        },
        platform.secrets.INTERNAL_SIGNING_KEY,
      );
      return { call, token };
    },
    async connect(streamUrl, token, call, options = {}) {
      const client = await connectTwilioMedia(streamUrl, {
        customParameters: { token, callId: call.id },
        playback: options.autoPlay ? 'instant' : 'manual',
        callSid: options.callSid,
      });
      client.start();
      return client;
    },
    callRecord: (callId) => getCall(db, tenant.id, callId),
    async eventsFor(callId, count) {
      const url = queueUrlsFromEnv().webhooks as string;
      const mine = () => seenEvents.filter((e) => e.callId === callId);
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const message of out.Messages ?? []) seenEvents.push(JSON.parse(message.Body ?? '{}'));
        if (mine().length >= count && (out.Messages ?? []).length === 0) return mine();
      }
    },
    async stop() {
      for (const service of services) await service.drain(0);
      await realtime.close();
      await platform.stop();
    },
  };
  return harness;
}
