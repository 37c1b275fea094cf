import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createAgent, getAgent } from '#shared/data/agents.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import type { Db } from '#shared/data/client.ts';
import { createPhoneNumber, findPhoneNumber } from '#shared/data/phone-numbers.ts';
import { createTenant, getTenant } from '#shared/data/tenants.ts';

export interface LocalCredentials {
  apiBaseUrl: string;
  mediaBaseUrl: string;
  tenantId: string;
  apiKey: string;
  agentId: string;
  phoneNumber: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  adminApiKey: string;
}

export const DEMO_PHONE_NUMBER = '+15005550006';

const DEMO_INSTRUCTIONS = `You are the friendly receptionist of Acme Dental. Greet callers warmly, answer questions about
opening hours (Monday to Friday, 8am to 6pm), and help them book, move or cancel appointments. Keep answers short,
one or two sentences, as on a phone call. If the caller asks for a person, offer to transfer them.`;

/**
 * Seeds a development tenant with an API key, a demo agent and a demo number mapped to it, once.
 * On later starts the stored credentials are reused while the tenant still exists in the database.
 */
export async function ensureSeedData(
  db: Db,
  credentialsPath: string,
  urls: { apiBaseUrl: string; mediaBaseUrl: string },
  secrets: { twilioAccountSid: string; twilioAuthToken: string; adminApiKey: string },
): Promise<{ credentials: LocalCredentials; created: boolean }> {
  if (existsSync(credentialsPath)) {
    const saved = JSON.parse(readFileSync(credentialsPath, 'utf8')) as LocalCredentials;
    if ((await getTenant(db, saved.tenantId)) && (await getAgent(db, saved.tenantId, saved.agentId))) {
      const credentials = { ...saved, ...urls, ...secrets };
      writeFileSync(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
      return { credentials, created: false };
    }
  }
  const tenant = await createTenant(db, {
    name: 'Dev tenant',
    limits: { maxConcurrentCalls: 10, requestsPerSecond: 50 },
  });
  const { secret } = await createApiKey(db, { tenantId: tenant.id, name: 'dev key', scopes: ['admin'] });
  const agent = await createAgent(db, tenant.id, {
    name: 'Acme Dental receptionist',
    instructions: DEMO_INSTRUCTIONS,
    voice: 'marin',
    greeting: 'Thanks for calling Acme Dental, how can I help you today?',
    language: 'en',
    tools: [],
    maxDurationSeconds: 1800,
    idleTimeoutSeconds: 30,
  });
  const taken = await findPhoneNumber(db, DEMO_PHONE_NUMBER);
  if (!taken) {
    await createPhoneNumber(db, {
      tenantId: tenant.id,
      number: DEMO_PHONE_NUMBER,
      agentId: agent.id,
      provider: 'twilio',
    });
  }
  const credentials: LocalCredentials = {
    ...urls,
    tenantId: tenant.id,
    apiKey: secret,
    agentId: agent.id,
    phoneNumber: DEMO_PHONE_NUMBER,
    ...secrets,
  };
  writeFileSync(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { credentials, created: true };
}
