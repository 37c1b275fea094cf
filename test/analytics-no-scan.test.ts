import { describe, expect, it } from 'vitest';
import { walkModuleGraph } from '../infra/lib/handler-access.ts';
import { rootDir } from './platform.ts';

/** Every entry point of analytics and exports: routes, consumers and the benchmark's seeding code. */
const ENTRIES = [
  'functions/api/get-analytics-summary.ts',
  'functions/api/get-analytics-timeseries.ts',
  'functions/api/list-analytics-agents.ts',
  'functions/api/get-analytics-qa.ts',
  'functions/api/create-analytics-backfill.ts',
  'functions/api/get-analytics-backfill.ts',
  'functions/api/create-export.ts',
  'functions/api/get-export.ts',
  'functions/consumers/run-export.ts',
  'functions/consumers/run-analytics-backfill.ts',
  'functions/consumers/meter-usage.ts',
  'functions/consumers/summarize-call.ts',
];

const SCAN = /\b(Scan|ParallelScan)Command\b|\bpaginateScan\b|['"]Scan['"]/;

describe('analytics and exports never scan', () => {
  it.each(ENTRIES)('%s reaches no module that issues a Scan', (entry) => {
    const graph = walkModuleGraph(rootDir, entry);
    expect(graph.files.length).toBeGreaterThan(3);
    const scanning = [...graph.sources].filter(([, source]) => SCAN.test(source)).map(([file]) => file);
    expect(scanning).toEqual([]);
  });

  it('the check itself finds a Scan', () => {
    expect(SCAN.test("import { ScanCommand } from '@aws-sdk/lib-dynamodb';")).toBe(true);
  });
});
