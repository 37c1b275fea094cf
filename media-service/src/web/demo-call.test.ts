import { describe, expect, it } from 'vitest';
import { loadEnv } from '#shared/config/env.ts';
import { demoAgentOf } from './demo-call.ts';

describe('demoAgentOf', () => {
  const cases: [string, Record<string, string>, ReturnType<typeof demoAgentOf>][] = [
    [
      'a local stage with a demo agent',
      { STAGE: 'local', WEB_DEMO_AGENT: 'ten_1/agt_2' },
      { tenantId: 'ten_1', agentId: 'agt_2' },
    ],
    [
      'a deployed stage, even with a demo agent set',
      { STAGE: 'prod', WEB_DEMO_AGENT: 'ten_1/agt_2' },
      undefined,
    ],
    ['a local stage without a demo agent', { STAGE: 'local' }, undefined],
  ];
  for (const [name, env, expected] of cases) {
    it(`serves the demo for ${name}: ${expected ? 'yes' : 'no'}`, () => {
      expect(demoAgentOf(loadEnv(env))).toEqual(expected);
    });
  }

  it('refuses a malformed demo agent at start-up', () => {
    expect(() => loadEnv({ WEB_DEMO_AGENT: 'agt_2' })).toThrow(/WEB_DEMO_AGENT/);
  });
});
