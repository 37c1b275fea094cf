import { describe, expect, it } from 'vitest';
import { UpdateAgentBodySchema } from './agent-schemas.ts';
import { CreateCallBodySchema, ListCallsQuerySchema } from './call-schemas.ts';
import { PageQuerySchema } from './common-schemas.ts';
import { cursorSigningKey } from './cursor-key.ts';
import { UpdateTenantBodySchema } from './tenant-schemas.ts';

describe('UpdateAgentBodySchema', () => {
  it.each([
    [{ name: 'x' }, { name: 'x' }],
    // No defaults on a patch: what is not named must not be reset.
    [{ greeting: 'Hi' }, { greeting: 'Hi' }],
    [
      { greeting: null, webhookUrl: null },
      { greeting: null, webhookUrl: null },
    ],
    [{ maxDurationSeconds: 60 }, { maxDurationSeconds: 60 }],
  ])('accepts %j as %j', (input, output) => {
    expect(UpdateAgentBodySchema.parse(input)).toEqual(output);
  });

  it.each([{}, { name: null }, { voice: null }, { tools: null }, { id: 'agt_1' }, { maxDurationSeconds: 5 }])(
    'rejects %j',
    (input) => {
      expect(UpdateAgentBodySchema.safeParse(input).success).toBe(false);
    },
  );
});

describe('list queries', () => {
  it.each([
    [{}, { limit: 20 }],
    [{ limit: '1' }, { limit: 1 }],
    [
      { limit: '100', cursor: 'abc' },
      { limit: 100, cursor: 'abc' },
    ],
  ])('pages %j as %j', (input, output) => {
    expect(PageQuerySchema.parse(input)).toEqual(output);
  });

  it.each([{ limit: '0' }, { limit: '101' }, { limit: '2.5' }, { limit: '' }, { cursor: '' }, { page: '2' }])(
    'rejects %j',
    (input) => {
      expect(PageQuerySchema.safeParse(input).success).toBe(false);
    },
  );

  it.each([
    [{ since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' }, true],
    [{ since: '2026-01-01T00:00:00+02:00' }, true],
    [{ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }, false],
    [{ since: '2026-01-01' }, false],
    [{ status: 'in_progress', direction: 'outbound' }, true],
    [{ status: 'in-progress' }, false],
    [{ from: '+14155550100', to: '+442071838750' }, true],
    [{ from: '4155550100' }, false],
  ])('call filters %j valid: %s', (input, valid) => {
    expect(ListCallsQuerySchema.safeParse(input).success).toBe(valid);
  });
});

describe('bodies', () => {
  it('rejects billingStatus on tenant patches and unknown call fields', () => {
    expect(UpdateTenantBodySchema.safeParse({ billingStatus: 'active' }).success).toBe(false);
    expect(UpdateTenantBodySchema.safeParse({ webhookUrl: null }).success).toBe(true);
    expect(
      CreateCallBodySchema.safeParse({ agentId: 'agt_1', to: '+14155550100', direction: 'inbound' }).success,
    ).toBe(false);
    expect(
      CreateCallBodySchema.safeParse({
        agentId: 'agt_1',
        to: '+14155550100',
        metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])),
      }).success,
    ).toBe(false);
  });
});

describe('cursorSigningKey', () => {
  it('derives a stable key that differs from the platform key', () => {
    expect(cursorSigningKey('secret')).toBe(cursorSigningKey('secret'));
    expect(cursorSigningKey('secret')).not.toBe(cursorSigningKey('other'));
    expect(cursorSigningKey('secret')).not.toContain('secret');
  });
});
