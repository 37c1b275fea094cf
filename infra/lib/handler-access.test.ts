import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessAnalyzer, type HandlerAccess, walkModuleGraph } from './handler-access.ts';
import { repoRoot } from '../../test/infra/test-platform-app.ts';

/** A miniature repository: shared capabilities declared as in the real one, handlers using them. */
const FIXTURE: Record<string, string> = {
  'shared/data/client.ts': `
    export function createDb(o) { return o; }
    export function dbFromEnv() { return createDb({}); }`,
  'shared/config/secrets.ts': 'export function secrets() { return {}; }',
  'shared/queues/publisher.ts': `
    import { SendMessageCommand } from '@aws-sdk/client-sqs';
    export async function publishCallEvent(sqs, urls, input) { new SendMessageCommand(input); }
    export async function sendMediaCommand(sqs, urls, input) {}`,
  'shared/calls/escalate.ts': `
    import { publishCallEvent } from '../queues/publisher.ts';
    export const escalate = (sqs) => publishCallEvent(sqs, {}, { type: 'call.escalated' });`,
  'shared/calls/relay.ts': `
    import { publishCallEvent } from '../queues/publisher.ts';
    export const relay = (sqs, event) => publishCallEvent(sqs, {}, event);`,
  'functions/uses-table.ts': `
    import { dbFromEnv } from '#shared/data/client.ts';
    export const handler = () => dbFromEnv();`,
  'functions/type-only.ts': `
    import type { Db } from '#shared/data/client.ts';
    export const handler = (db: Db) => db;`,
  'functions/escalates.ts': `
    import { escalate } from '#shared/calls/escalate.ts';
    export const handler = () => escalate();`,
  'functions/relays.ts': `
    import { relay } from '#shared/calls/relay.ts';
    export const handler = (e) => relay(undefined, e);`,
  'functions/commands.ts': `
    import { sendMediaCommand } from '#shared/queues/publisher.ts';
    import { secrets } from '#shared/config/secrets.ts';
    export const handler = async () => { await secrets(); return sendMediaCommand(); };`,
  'functions/raw-send.ts': `
    import { SendMessageCommand } from '@aws-sdk/client-sqs';
    export const handler = () => new SendMessageCommand({});`,
  'functions/lazy.ts': `
    export const handler = async () => (await import('./lib/lazy-db.ts')).run();`,
  'functions/lib/lazy-db.ts': `
    import { dbFromEnv } from '../../shared/data/client.ts';
    export const run = () => dbFromEnv();`,
};

let root: string;
let analyze: (entry: string) => HandlerAccess;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'handler-access-'));
  for (const [path, source] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  analyze = createAccessAnalyzer(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('createAccessAnalyzer', () => {
  it.each([
    [
      'a handler building the DB client',
      'functions/uses-table.ts',
      { table: true, secrets: false, sendQueues: [] },
    ],
    [
      'a type-only import (erased by the bundler)',
      'functions/type-only.ts',
      { table: false, sendQueues: [] },
    ],
    ['a call.escalated publisher', 'functions/escalates.ts', { table: false, sendQueues: ['webhooks'] }],
    [
      'a publisher that passes the event type through',
      'functions/relays.ts',
      { sendQueues: ['summaries', 'usage', 'webhooks', 'campaignOutcomes'] },
    ],
    ['a media command sender', 'functions/commands.ts', { secrets: true, sendQueues: ['mediaCommands'] }],
    ['a dynamic import', 'functions/lazy.ts', { table: true }],
  ])('derives %s', (_name, entry, expected) => {
    expect(analyze(entry)).toMatchObject({ exists: true, ...expected });
  });

  it('reports sends that bypass the shared publisher, but not the publisher itself', () => {
    expect(analyze('functions/raw-send.ts').unknownQueueSenders).toEqual(['functions/raw-send.ts']);
    expect(analyze('functions/relays.ts').unknownQueueSenders).toEqual([]);
  });

  it('marks a missing handler file instead of throwing', () => {
    expect(analyze('functions/not-yet.ts')).toMatchObject({ exists: false, table: false, sendQueues: [] });
  });
});

describe('the real handlers', () => {
  const real = createAccessAnalyzer(repoRoot);

  it('the authorizer reads the table and the secret and touches no queue', () => {
    expect(real('functions/authorizer/authorize-api-key.ts')).toMatchObject({
      exists: true,
      table: true,
      secrets: true,
      sendQueues: [],
      probeQueues: [],
    });
  });

  it('walks the media service graph to its packages', () => {
    const graph = walkModuleGraph(repoRoot, 'media-service/src/main.ts');
    expect(graph.packages).toContain('@aws-sdk/client-dynamodb');
    expect(graph.packages.every((name) => !name.startsWith('node:'))).toBe(true);
  });
});
