import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { createAgent } from '#shared/data/agents.ts';
import { createApiKey } from '#shared/data/api-keys.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createTenant } from '#shared/data/tenants.ts';
import type { Tenant } from '#shared/tenants/tenant-types.ts';
import { createLogger } from '#shared/logging/logger.ts';
import {
  type ControlPlane,
  type LocalConsoleOptions,
  startControlPlane,
} from '../infra/local/control-plane.ts';
import { generateLocalSecrets, type LocalSecrets } from '../infra/local/local-secrets.ts';

export const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface TestPlatform extends ControlPlane {
  secrets: LocalSecrets;
}

/**
 * The control plane for one test file: its own table and queues on the run's shared emulators,
 * the real gateway and (optionally) the queue pollers, with fresh local secrets.
 */
export async function startTestPlatform(
  options: {
    env?: Record<string, string>;
    startPollers?: boolean;
    queueVisibilitySeconds?: number;
    console?: LocalConsoleOptions;
    /** With the pollers: run the scheduled jobs this often instead of at their rate. */
    jobIntervalMs?: number;
  } = {},
): Promise<TestPlatform> {
  const secrets = generateLocalSecrets();
  const plane = await startControlPlane({
    rootDir,
    logger: createLogger({ level: 'error' }),
    emulators: { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') },
    namePrefix: `t${randomBytes(5).toString('hex')}`,
    startPollers: options.startPollers ?? false,
    queueVisibilitySeconds: options.queueVisibilitySeconds,
    console: options.console,
    jobIntervalMs: options.jobIntervalMs,
    env: { ...secrets, LOG_LEVEL: 'error', ...options.env },
  });
  return { ...plane, secrets };
}

export interface TestTenant {
  tenant: Tenant;
  apiKey: string;
  agentId: string;
}

/** A tenant with an admin-scoped key and one agent, written straight to the table. */
export async function createTestTenant(
  limits = { maxConcurrentCalls: 5, requestsPerSecond: 1000 },
): Promise<TestTenant> {
  const db = dbFromEnv();
  const tenant = await createTenant(db, { name: `Tenant ${randomBytes(3).toString('hex')}`, limits });
  const { secret } = await createApiKey(db, { tenantId: tenant.id, name: 'test', scopes: ['admin'] });
  const agent = await createAgent(db, tenant.id, {
    name: 'Test agent',
    instructions: 'You are a test agent.',
    voice: 'marin',
    tools: [],
    maxDurationSeconds: 600,
    idleTimeoutSeconds: 30,
  });
  return { tenant, apiKey: secret, agentId: agent.id };
}
