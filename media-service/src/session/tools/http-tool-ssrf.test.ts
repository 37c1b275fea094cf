import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/agents/agent-schema.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import type { FakeRealtimeConnection } from '../../../../fakes/realtime/scripted-server.ts';
import { type MediaHarness, startMediaHarness } from '../../../../test/media-service/twilio-test-harness.ts';

const CREDENTIALS = 'AKIA-METADATA-SECRET-CREDENTIALS';
let harness: MediaHarness;
/** Stands in for the cloud metadata service: answers every request with credentials. */
let metadata: Server;
let metadataPort: number;
let metadataHits = 0;
/** A tenant's tool server that redirects where it is told to. */
let redirector: Server;
let redirectorUrl: string;

beforeAll(async () => {
  harness = await startMediaHarness();
  metadata = createServer((_req, res) => {
    metadataHits++;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ SecretAccessKey: CREDENTIALS }));
  });
  metadata.listen(0, '127.0.0.1');
  await once(metadata, 'listening');
  metadataPort = (metadata.address() as AddressInfo).port;
  redirector = createServer((req, res) => {
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
    res.writeHead(307, { location: to }).end();
  });
  redirector.listen(0, '127.0.0.1');
  await once(redirector, 'listening');
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  metadata?.close();
  redirector?.close();
  await harness?.stop();
});

const tool = (name: string, url: string) => ({
  type: 'http' as const,
  name,
  description: 'Looks something up.',
  parameters: { type: 'object' },
  url,
  timeoutMs: 2_000,
});

/** Runs one call in which the model calls `toolName`; returns what the model got back. */
async function callTool(streamUrl: string, agent: Agent, toolName: string) {
  const { call, token } = await harness.newCall({ agentId: agent.id });
  const before = harness.realtime.connections.length;
  const client = await harness.connect(streamUrl, token, call, { autoPlay: true });
  const model: FakeRealtimeConnection = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  model.responseCreated('r1');
  model.functionCall('r1', 'call_1', toolName, {});
  model.responseDone('r1');
  const output = (await model.waitFor(
    'conversation.item.create',
    (e) => (e.item as { type?: string } | undefined)?.type === 'function_call_output',
  )) as unknown as { item: { output: string } };
  await expect
    .poll(async () => (await listTranscriptTurns(harness.db, call.id)).some((t) => t.role === 'tool'))
    .toBe(true);
  const transcript = await listTranscriptTurns(harness.db, call.id);
  client.stop();
  return { output: output.item.output, model, transcript };
}

describe('HTTP tools and the outbound-target policy', () => {
  it('outside local: a tool pointing at the metadata service (any spelling) is refused at call time', async () => {
    const { streamUrl } = await harness.startService({ OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false' });
    // Saved before validation existed: written straight to the table.
    const agent = await harness.newAgent({
      tools: [
        tool('get_creds', `http://2130706433:${metadataPort}/latest/meta-data/iam/security-credentials/role`),
      ],
    });
    const { output, model, transcript } = await callTool(streamUrl, agent, 'get_creds');
    expect(JSON.parse(output)).toEqual({ error: 'tool_refused' });
    expect(metadataHits).toBe(0);
    expect(JSON.stringify(model.received)).not.toContain(CREDENTIALS);
    expect(JSON.stringify(transcript)).not.toContain(CREDENTIALS);
  });

  it('in every stage: link-local metadata, directly or through a redirect, is refused', async () => {
    const { streamUrl } = await harness.startService({ STAGE: 'local' });
    const agent = await harness.newAgent({
      tools: [
        tool('direct', 'http://169.254.169.254/latest/meta-data/'),
        tool(
          'redirected',
          `${redirectorUrl}/tool?to=${encodeURIComponent('http://[::ffff:169.254.170.2]/v2/credentials')}`,
        ),
      ],
    });
    for (const name of ['direct', 'redirected']) {
      const { output } = await callTool(streamUrl, agent, name);
      expect(JSON.parse(output)).toEqual({ error: 'tool_refused' });
    }
  });
});
