import type { ClientEvent } from '../../realtime/realtime-events.ts';
import { describe, expect, it } from 'vitest';
import { type Agent, AgentFieldsSchema } from '#shared/agents/agent-schema.ts';
import type { Call, EndReason } from '#shared/calls/call-types.ts';
import { createLogger } from '#shared/logging/logger.ts';
import type { SessionDeps } from '../session-deps.ts';
import {
  controlOf,
  type SessionTool,
  type ToolEntry,
  type ToolResult,
  type ToolSetup,
} from './session-tool.ts';
import { TOOL_ENTRIES, ToolRegistry, type ToolRun, toolRegistryFor } from './tool-registry.ts';
import { ToolRunner } from './tool-runner.ts';

const logger = createLogger({ write: () => undefined });

function agentWith(fields: Partial<Agent> = {}): Agent {
  const parsed = AgentFieldsSchema.parse({
    name: 'Support',
    instructions: 'Help.',
    tools: [
      { type: 'http', name: 'lookup_order', description: 'Find an order.', url: 'https://tools.example/o' },
      { type: 'http', name: 'end_call', description: 'Shadows a built-in.', url: 'https://tools.example/e' },
      { type: 'http', name: 'transfer_call', description: 'Shadows too.', url: 'https://tools.example/t' },
      { type: 'http', name: 'search_knowledge', description: 'Shadows an entry.', url: 'https://x.example' },
    ],
  });
  return { ...parsed, id: 'agt_1', tenantId: 'ten_1', createdAt: '', updatedAt: '', ...fields };
}

/** Only what building definitions reads: HTTP tools touch `deps` when they run, never here. */
const setupFor = (agent: Agent, canTransfer: boolean, provider: Call['provider'] = 'twilio'): ToolSetup => ({
  call: { id: 'call_1', tenantId: 'ten_1', provider } as Call,
  agent,
  canTransfer,
  deps: {} as SessionDeps,
  logger,
});

const fakeTool = (name: string, run: SessionTool['run'], control?: SessionTool['control']): SessionTool => ({
  definition: { type: 'function', name, description: name, parameters: { type: 'object', properties: {} } },
  control,
  run,
});

const names = (registry: ToolRegistry) => registry.definitions().map((definition) => definition.name);

describe('tool registry', () => {
  it.each([
    ['transfer number, transport can transfer', '+14155550123', true, 'twilio', true, 'transferred'],
    // Browser calls: offered, so the model hears why it cannot transfer instead of promising it.
    ['transfer number, browser call', '+14155550123', false, 'web', true, undefined],
    ['transfer number, phone transport cannot', '+14155550123', false, 'twilio', false, undefined],
    ['no transfer number', undefined, true, 'twilio', false, undefined],
  ] as const)('%s', (_case, transferNumber, canTransfer, provider, offered, coldControl) => {
    const registry = toolRegistryFor(setupFor(agentWith({ transferNumber }), canTransfer, provider));
    const builtIns = offered ? ['end_call', 'transfer_call'] : ['end_call'];
    // `search_knowledge` is reserved by the knowledge entry: a tenant tool cannot take the name.
    expect(names(registry)).toEqual([...builtIns, 'lookup_order']);
    expect(controlOf(registry.get('transfer_call'), '{}')?.endReason).toBe(coldControl);
    expect(controlOf(registry.get('transfer_call'), '{"mode":"warm"}')).toBeUndefined();
    expect(registry.get('end_call')?.control).toEqual({ endReason: 'agent_hangup' });
    expect(registry.get('lookup_order')?.control).toBeUndefined();
  });

  it.each([
    ['browser call, cold', false, '{"mode":"cold"}', 'transfer_unavailable'],
    ['browser call, warm', false, '{"mode":"warm"}', 'transfer_unavailable'],
    ['not E.164', true, '{"mode":"warm","to":"0415 555 0199"}', 'invalid_target'],
    ['not an allowed number', true, '{"mode":"warm","to":"+14155550999"}', 'target_not_allowed'],
    ['transport without warm transfers', true, '{"mode":"warm","to":"+14155550124"}', 'transfer_unavailable'],
  ])('transfer_call refuses with a tool error: %s', async (_case, canTransfer, args, error) => {
    const agent = agentWith({ transferNumber: '+14155550123', transferNumbers: ['+14155550124'] });
    const tool = toolRegistryFor(setupFor(agent, canTransfer, canTransfer ? 'twilio' : 'web')).get(
      'transfer_call',
    );
    const result = await tool?.run({ toolCallId: 'c1', arguments: args });
    expect(result?.ok).toBe(false);
    expect(JSON.parse(result?.output ?? '{}')).toMatchObject({ error, message: expect.any(String) });
  });

  it('transfer_call offers warm transfers with only extra numbers, and refuses cold ones there', async () => {
    const agent = agentWith({ transferNumbers: ['+14155550124'] });
    const tool = toolRegistryFor(setupFor(agent, true)).get('transfer_call');
    expect(controlOf(tool, '{}')).toBeUndefined();
    const result = await tool?.run({ toolCallId: 'c1', arguments: '{}' });
    expect(JSON.parse(result?.output ?? '{}')).toMatchObject({ error: 'transfer_unavailable' });
  });

  it('a new entry is one more item in the list; its reserved names beat tenant tools listed earlier', () => {
    const search = fakeTool('search_knowledge', async () => ({ ok: true, output: '[]' }));
    const knowledge: ToolEntry = { reservedNames: ['search_knowledge'], tools: () => [search] };
    const registry = toolRegistryFor(setupFor(agentWith(), false), [...TOOL_ENTRIES, knowledge]);
    expect(names(registry)).toEqual(['end_call', 'lookup_order', 'search_knowledge']);
    expect(registry.get('search_knowledge')).toBe(search);
  });
});

describe('tool runs observed through the registry', () => {
  it('reports each run with its timing and outcome; a throw is reported and still rethrown', async () => {
    const runs: ToolRun[] = [];
    const hangUp = fakeTool('hang_up', async () => ({ ok: true, output: '{}' }), {
      endReason: 'agent_hangup',
    });
    const registry = new ToolRegistry(
      [
        hangUp,
        fakeTool('lookup', async () => ({ ok: false, failure: 'status_503', status: 503, output: '{}' })),
        fakeTool('broken', async () => {
          throw new Error('bug in a plug-in');
        }),
      ],
      (run) => runs.push(run),
    );
    expect(registry.get('hang_up')?.control).toEqual({ endReason: 'agent_hangup' });
    expect(registry.definitions()).toEqual([hangUp.definition, expect.anything(), expect.anything()]);
    const invocation = { toolCallId: 'c1', arguments: '{}' };
    await expect(registry.get('hang_up')?.run(invocation)).resolves.toEqual({ ok: true, output: '{}' });
    await registry.get('lookup')?.run(invocation);
    await expect(registry.get('broken')?.run(invocation)).rejects.toThrow('bug in a plug-in');
    expect(runs.map(({ startMs, endMs, ...rest }) => rest)).toEqual([
      { name: 'hang_up', ok: true },
      { name: 'lookup', ok: false, failure: 'status_503' },
      { name: 'broken', ok: false, failure: 'threw' },
    ]);
    for (const run of runs) expect(run.endMs).toBeGreaterThanOrEqual(run.startMs);
  });
});

interface Harness {
  runner: ToolRunner;
  sent: ClientEvent[];
  recorded: string[];
  ended: EndReason[];
  responses: number;
  fireTimers(): void;
  timers: number;
}

function runnerWith(tools: SessionTool[]): Harness {
  const pendingTimers = new Set<() => void>();
  const harness: Harness = {
    sent: [],
    recorded: [],
    ended: [],
    responses: 0,
    timers: 0,
    fireTimers: () => {
      for (const run of [...pendingTimers]) run();
    },
    runner: undefined as unknown as ToolRunner,
  };
  harness.runner = new ToolRunner({
    registry: new ToolRegistry(tools),
    logger,
    fillerAfterMs: 1_500,
    after: (_ms, run) => {
      harness.timers++;
      pendingTimers.add(run);
      return { cancel: () => pendingTimers.delete(run) };
    },
    send: (event) => harness.sent.push(event),
    requestResponse: () => harness.responses++,
    recordTool: (_id, text) => harness.recorded.push(text),
    endCall: (reason) => harness.ended.push(reason),
    activity: () => undefined,
  });
  return harness;
}

const outputs = (sent: Harness['sent']) =>
  sent
    .flatMap((event) => (event.type === 'conversation.item.create' ? [event.item] : []))
    .map((item) => {
      const output = item as { call_id: string; output: string };
      return [output.call_id, output.output];
    });

describe('ToolRunner', () => {
  it('a control tool answers the whole batch, skips the others and ends the call without a response', async () => {
    let otherRuns = 0;
    const h = runnerWith([
      fakeTool('lookup', async () => {
        otherRuns++;
        return { ok: true, output: '{}' };
      }),
      fakeTool('hang_up', async () => ({ ok: true, output: '{"ok":true}' }), { endReason: 'agent_hangup' }),
    ]);
    h.runner.collect({ callId: 'c1', name: 'lookup', arguments: '{}' });
    h.runner.collect({ callId: 'c2', name: 'hang_up', arguments: '{"reason":"done"}' });
    await h.runner.runPending();
    expect(outputs(h.sent)).toEqual([
      ['c1', '{"skipped":true}'],
      ['c2', '{"ok":true}'],
    ]);
    expect(otherRuns).toBe(0);
    expect(h.recorded).toEqual(['hang_up()']);
    expect(h.ended).toEqual(['agent_hangup']);
    expect(h.responses).toBe(0);
  });

  it('runs the batch together: unknown and throwing tools are answered, then one response; filler while slow', async () => {
    let finish!: (result: ToolResult) => void;
    const h = runnerWith([
      fakeTool('slow', () => new Promise((resolve) => (finish = resolve))),
      fakeTool('broken', async () => {
        throw new Error('bug in a plug-in');
      }),
    ]);
    h.runner.collect({ callId: 'c1', name: 'slow', arguments: '{"q":1}' });
    h.runner.collect({ callId: 'c2', name: 'broken', arguments: '{}' });
    h.runner.collect({ callId: 'c3', name: 'nope', arguments: '{}' });
    expect(h.runner.hasPending).toBe(true);
    const done = h.runner.runPending();
    expect(h.runner.running).toBe(true);
    h.fireTimers();
    expect(h.sent).toEqual([
      { type: 'response.create', response: expect.objectContaining({ conversation: 'none' }) },
    ]);
    finish({ ok: true, output: '{"status":"shipped"}' });
    await done;
    expect(outputs(h.sent)).toEqual([
      ['c1', '{"status":"shipped"}'],
      ['c2', '{"error":"tool_failed"}'],
      ['c3', '{"error":"unknown_tool"}'],
    ]);
    expect(h.recorded).toEqual([
      'slow({"q":1}) → {"status":"shipped"}',
      'broken({}) → {"error":"tool_failed"}',
      'nope({}) → {"error":"unknown_tool"}',
    ]);
    expect(h.responses).toBe(1);
    expect(h.ended).toEqual([]);
    expect(h.runner.running).toBe(false);
  });

  it('cancels the filler when the tools answer in time', async () => {
    const h = runnerWith([fakeTool('quick', async () => ({ ok: true, output: '1' }))]);
    h.runner.collect({ callId: 'c1', name: 'quick', arguments: '' });
    await h.runner.runPending();
    h.fireTimers();
    expect(h.timers).toBe(1);
    expect(h.sent.filter((event) => event.type === 'response.create')).toEqual([]);
  });
});

describe('add_to_do_not_call', () => {
  const outbound = (fields: Partial<Call>): ToolSetup => ({
    ...setupFor(agentWith(), false),
    call: {
      id: 'call_1',
      tenantId: 'ten_1',
      direction: 'outbound',
      provider: 'asterisk',
      to: '+14155550199',
      ...fields,
    } as Call,
  });

  it.each([
    ['an outbound phone call', {}, true],
    ['an inbound call', { direction: 'inbound' as const }, false],
    ['a browser call', { provider: 'web' as const, to: 'agt_1' }, false],
  ])('is offered on %s: %s', (_case, fields, offered) => {
    const registry = toolRegistryFor(outbound(fields));
    expect(names(registry).includes('add_to_do_not_call')).toBe(offered);
  });
});
