import { describe, expect, it } from 'vitest';
import type { HandlerGrants } from '#shared/grants/handler-grants.ts';
import { SCHEDULED_JOBS } from '#shared/jobs/scheduled-jobs.ts';
import { AUTHORIZER, ROUTES } from '#shared/http/route-table.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { derivedGrants, grantDifferences, grantsLiteral } from './derived-grants.ts';
import { createAccessAnalyzer } from './handler-access.ts';
import { repoRoot } from '../../test/infra/test-platform-app.ts';

describe('grantDifferences', () => {
  it.each<[string, HandlerGrants, HandlerGrants, string[]]>([
    ['agreement', { table: 'write', sendsTo: ['webhooks'] }, { table: 'write', sendsTo: ['webhooks'] }, []],
    [
      'a capability used but not declared',
      { table: 'write' },
      { table: 'write', secrets: true },
      ['undeclared secrets: true'],
    ],
    [
      'a capability declared but unused',
      { table: 'write', email: true },
      { table: 'write' },
      ['unused email: true'],
    ],
    [
      'a read-only declaration on code that writes',
      { table: 'read' },
      { table: 'write' },
      ['differs table: declared read, code needs write'],
    ],
    [
      'queues on either side',
      { sendsTo: ['usage', 'exports'] },
      { sendsTo: ['usage', 'webhooks'] },
      ["undeclared sendsTo 'webhooks'", "unused sendsTo 'exports'"],
    ],
  ])('reports %s', (_name, declared, derived, expected) => {
    expect(grantDifferences(declared, derived)).toEqual(expected);
  });
});

/** Every function the control plane deploys, with the grants its definition declares. */
const DECLARED: [string, string, HandlerGrants][] = [
  ...ROUTES.map((r): [string, string, HandlerGrants] => [`${r.method} ${r.path}`, r.handler, r.grants]),
  ...Object.entries(QUEUES).flatMap(([id, q]): [string, string, HandlerGrants][] =>
    'consumer' in q ? [[`consumer of ${id}`, q.consumer.handler, q.consumer.grants]] : [],
  ),
  ...SCHEDULED_JOBS.map((j): [string, string, HandlerGrants] => [`job ${j.id}`, j.handler, j.grants]),
  ['the API-key authorizer', AUTHORIZER.handler, AUTHORIZER.grants],
];

describe('declared grants match the bundled code', () => {
  const analyze = createAccessAnalyzer(repoRoot);

  it.each(DECLARED)('%s (%s)', (_name, entry, declared) => {
    const access = analyze(entry);
    expect(access.exists, `${entry} does not exist`).toBe(true);
    const derived = derivedGrants(access);
    // The message carries the literal to paste into the definition when the code changed on purpose.
    expect(grantDifferences(declared, derived), `the code needs grants: ${grantsLiteral(derived)}`).toEqual(
      [],
    );
  });
});
