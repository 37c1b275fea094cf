/**
 * `npm run bench:campaigns`: imports BENCH_CONTACTS contacts (default 100,000) through the CSV
 * import job, then runs the dispatcher and the dialer against the local platform (Asterisk dials:
 * the provider side is simulated by ending each call with an outcome drawn in set proportions:
 * 50 % answered, 25 % no answer, 15 % busy, 10 % machine) at a campaign concurrency of 200, for
 * BENCH_DIALS dials (default 5,000). Prints import time, rows/s, peak RSS, dial commands/s, dials
 * outside windows, duplicate concurrent dials, and DynamoDB requests per dial.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isWithinWindow } from '#shared/campaigns/calling-window.ts';
import { DialCommandSchema } from '#shared/campaigns/campaign-messages.ts';
import { getCampaign } from '#shared/campaigns/campaign-store.ts';
import { dialContact } from '#shared/campaigns/dial-contact.ts';
import { dispatchCampaigns } from '#shared/campaigns/dispatcher.ts';
import { runImport } from '#shared/campaigns/run-import.ts';
import { recordCallEnded } from '#shared/campaigns/record-outcome.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { createAgent } from '#shared/data/agents.ts';
import { getCall, transitionCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createTenant } from '#shared/data/tenants.ts';
import { s3FromEnv } from '#shared/exports/s3-client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startControlPlane } from '../infra/local/control-plane.ts';
import { generateLocalSecrets } from '../infra/local/local-secrets.ts';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** `--contacts=N` / `--dials=N` (or BENCH_CONTACTS / BENCH_DIALS) for a smaller run. */
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const CONTACTS = Number(flag('contacts') ?? process.env.BENCH_CONTACTS ?? 100_000);
const DIALS = Number(flag('dials') ?? process.env.BENCH_DIALS ?? 5_000);
const logger = createLogger({ level: 'error' });

const breakdown = (counts: Map<string, number>, per: number, unit: string) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name.replace(/Command$/, '')} ${(n / per).toFixed(2)}/${unit}`)
    .join(', ');

async function main() {
  const plane = await startControlPlane({
    rootDir,
    logger,
    namePrefix: `benchcmp${Date.now().toString(36)}`,
    startPollers: false,
    env: { ...generateLocalSecrets(), LOG_LEVEL: 'error' },
  });
  try {
    const db = dbFromEnv();
    let requests = 0;
    const byCommand = new Map<string, number>();
    db.doc.middlewareStack.add(
      (next, context) => async (args) => {
        requests++;
        byCommand.set(context.commandName ?? '?', (byCommand.get(context.commandName ?? '?') ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchCounter' },
    );
    const tenant = await createTenant(db, {
      name: 'Bench',
      limits: { maxConcurrentCalls: 1000, requestsPerSecond: 100_000 },
    });
    const { secret } = await createApiKey(db, { tenantId: tenant.id, name: 'bench', scopes: ['admin'] });
    const agent = await createAgent(db, tenant.id, {
      name: 'Bench',
      instructions: 'Remind {{firstName}}.',
      voice: 'marin',
      tools: [],
      maxDurationSeconds: 600,
      idleTimeoutSeconds: 30,
    });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${plane.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the bench reads arbitrary API JSON
      const json = (await res.json()) as Record<string, any>;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await api('POST', '/v1/phone-numbers', {
      number: '+16285550001',
      agentId: agent.id,
      provider: 'asterisk',
    });
    const window = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' };
    const { campaign } = await api('POST', '/v1/campaigns', {
      name: 'Bench',
      agentId: agent.id,
      callingWindow: window,
      maxConcurrentCalls: 200,
      retry: { onNoAnswer: { maxAttempts: 2, delayMinutes: 0 }, onBusy: { maxAttempts: 2, delayMinutes: 0 } },
    });

    // Import.
    const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'UTC'];
    const lines = ['number,timezone,firstName'];
    for (let i = 0; i < CONTACTS; i++)
      lines.push(`+4420${String(71000000 + i).padStart(8, '0')},${zones[i % 4]},Name${i}`);
    const file = Buffer.from(`${lines.join('\n')}\n`);
    const created = await api('POST', '/v1/imports', {
      type: 'campaign_contacts',
      campaignId: campaign.id,
      sizeBytes: file.length,
    });
    await fetch(created.upload.url, {
      method: 'PUT',
      headers: created.upload.headers,
      body: new Uint8Array(file),
    });
    await api('POST', `/v1/imports/${created.import.id}/start`);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 200);
    const importStart = Date.now();
    requests = 0;
    byCommand.clear();
    await runImport({ db, s3: s3FromEnv(), logger }, tenant.id, created.import.id);
    const importMs = Date.now() - importStart;
    clearInterval(sampler);
    const job = await api('GET', `/v1/imports/${created.import.id}`);
    console.log(`  import requests by command: ${breakdown(byCommand, CONTACTS, 'row')}`);
    console.log(
      `import: ${job.import.rowsImported}/${CONTACTS} rows in ${(importMs / 1000).toFixed(1)} s, ${(CONTACTS / (importMs / 1000)).toFixed(0)} rows/s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB, ${(requests / CONTACTS).toFixed(2)} DynamoDB requests/row`,
    );

    // Dispatch.
    await api('POST', `/v1/campaigns/${campaign.id}/start`);
    const stored = await getCampaign(db, tenant.id, campaign.id);
    const sqs = sqsFromEnv();
    const dialUrl = queueUrlsFromEnv().campaignDials as string;
    const deps = { db, sqs, queueUrls: queueUrlsFromEnv(), twilio: undefined, publicApiUrl: plane.apiUrl };
    const live = new Set<string>();
    let placed = 0,
      outside = 0,
      duplicates = 0,
      commands = 0;
    requests = 0;
    byCommand.clear();
    const dispatchStart = Date.now();
    while (placed < DIALS) {
      const report = await dispatchCampaigns({ db, sqs, queueUrls: deps.queueUrls, logger });
      if (report.claimed === 0) break;
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dialUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const messages = out.Messages ?? [];
        if (messages.length === 0) break;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dialUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        await Promise.all(
          messages.map(async (m) => {
            const command = DialCommandSchema.parse(JSON.parse(m.Body ?? '{}'));
            commands++;
            const now = new Date();
            if ((await dialContact(deps, command, logger, now)) !== 'placed') return;
            placed++;
            if (live.has(command.number)) duplicates++;
            live.add(command.number);
            const contactZone = zones[(Number(command.number.slice(5)) - 71000000) % 4] as string;
            if (stored && !isWithinWindow(now.getTime(), contactZone, stored.callingWindow)) outside++;
          }),
        );
      }
      // The provider side: every live call ends with a drawn outcome.
      const calls = await api('GET', '/v1/calls?status=queued&limit=100');
      let batch = calls.items as { id: string }[];
      while (batch.length > 0) {
        await Promise.all(
          batch.map(async ({ id }, i) => {
            const roll = (placed + i) % 20;
            const [status, endReason] =
              roll < 10
                ? ['completed', 'caller_hangup']
                : roll < 15
                  ? ['no_answer', 'no_answer']
                  : roll < 18
                    ? ['busy', 'busy']
                    : ['completed', 'voicemail'];
            const { call } = await transitionCall(db, tenant.id, id, status as 'completed', {
              endedAt: new Date().toISOString(),
              endReason,
            });
            live.delete(call.to);
            await recordCallEnded(db, (await getCall(db, tenant.id, id)) ?? call, new Date());
          }),
        );
        batch = (await api('GET', '/v1/calls?status=queued&limit=100')).items;
      }
    }
    const seconds = (Date.now() - dispatchStart) / 1000;
    console.log(
      `dispatch: ${placed} dials in ${seconds.toFixed(1)} s, ${(commands / seconds).toFixed(1)} dial commands/s, outside windows ${outside}, duplicate dials ${duplicates}, ${(requests / Math.max(1, placed)).toFixed(1)} DynamoDB requests/dial (dispatcher, dialer with admission, outcome)`,
    );
    console.log(`  dispatch requests by command: ${breakdown(byCommand, Math.max(1, placed), 'dial')}`);
  } finally {
    await plane.stop();
  }
}

await main();
