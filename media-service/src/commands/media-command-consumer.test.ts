import { describe, expect, it } from 'vitest';
import type { EndReason } from '#shared/calls/call-types.ts';
import { createLogger } from '#shared/logging/logger.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import { createSessionRegistry } from '../session/session-registry.ts';
import { runMediaCommand } from './media-command-consumer.ts';
import { type MachineVerdict, VERDICT_WAIT_MS } from '#shared/voicemail/answered-by.ts';

const logger = createLogger({ level: 'error', write: () => undefined });
const base = {
  schemaVersion: 1 as const,
  eventId: 'evt_1',
  occurredAt: new Date().toISOString(),
  tenantId: 'ten_1',
};
const end = (callId: string): MediaCommand => ({ ...base, type: 'call.end', callId, reason: 'api_request' });
const originate: MediaCommand = {
  ...base,
  type: 'call.originate',
  callId: 'call_3',
  agentId: 'agt_1',
  to: '+15550001111',
  from: '+15550009999',
};

function liveRegistry(callId: string) {
  const registry = createSessionRegistry(5);
  const ended: EndReason[] = [];
  const verdicts: MachineVerdict[] = [];
  const reservation = registry.reserve(callId);
  if (!reservation.ok) throw new Error('no slot');
  let close: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    close = resolve;
  });
  reservation.slot.bind({
    callId,
    closed,
    end: async (reason) => {
      ended.push(reason);
      close();
    },
    machineVerdict: (verdict) => verdicts.push(verdict),
  });
  return { registry, ended, verdicts };
}

const verdict = (callId: string, occurredAt = base.occurredAt): MediaCommand => ({
  ...base,
  occurredAt,
  type: 'call.machine_verdict',
  callId,
  answeredBy: 'machine',
  providerVerdict: 'machine_end_beep',
  detectionMs: 8100,
});

describe('runMediaCommand', () => {
  it('ends the live session of any transport with the command reason', async () => {
    const { registry, ended } = liveRegistry('call_1');
    await expect(runMediaCommand({ registry, logger }, end('call_1'))).resolves.toBe('done');
    expect(ended).toEqual(['api_request']);
  });

  it('hangs up an Asterisk call that is still ringing', async () => {
    const canceled: string[] = [];
    const asterisk = {
      originate: async () => undefined,
      cancelRinging: async (callId: string) => {
        canceled.push(callId);
        return true;
      },
    };
    const registry = createSessionRegistry(5);
    await expect(runMediaCommand({ registry, logger, asterisk }, end('call_2'))).resolves.toBe('done');
    expect(canceled).toEqual(['call_2']);
  });

  it('acknowledges call.end for a call that is not live here (nothing to end)', async () => {
    await expect(
      runMediaCommand({ registry: createSessionRegistry(5), logger }, end('call_9')),
    ).resolves.toBe('done');
  });

  it('hands an originate back when this task has no Asterisk, and runs it when it has', async () => {
    const registry = createSessionRegistry(5);
    await expect(runMediaCommand({ registry, logger }, originate)).resolves.toBe('retry');
    const dialed: string[] = [];
    const asterisk = {
      originate: async (command: Extract<MediaCommand, { type: 'call.originate' }>) => {
        dialed.push(command.to);
      },
      cancelRinging: async () => false,
    };
    await expect(runMediaCommand({ registry, logger, asterisk }, originate)).resolves.toBe('done');
    expect(dialed).toEqual(['+15550001111']);
  });

  it('hands a machine verdict to the live session of its call', async () => {
    const { registry, verdicts } = liveRegistry('call_4');
    await expect(runMediaCommand({ registry, logger }, verdict('call_4'))).resolves.toBe('done');
    expect(verdicts).toEqual([
      { answeredBy: 'machine', providerVerdict: 'machine_end_beep', detectionMs: 8100 },
    ]);
  });

  it('retries a verdict for a call not live here until the call is over or the verdict is stale', async () => {
    const registry = createSessionRegistry(5);
    const now = () => Date.parse(base.occurredAt) + 2_000;
    const running = { isCallOver: async () => false, now };
    await expect(runMediaCommand({ registry, logger, ...running }, verdict('call_5'))).resolves.toBe(
      'retry_later',
    );
    const over = { isCallOver: async () => true, now };
    await expect(runMediaCommand({ registry, logger, ...over }, verdict('call_5'))).resolves.toBe('done');
    const stale = {
      isCallOver: async () => false,
      now: () => Date.parse(base.occurredAt) + VERDICT_WAIT_MS + 1,
    };
    await expect(runMediaCommand({ registry, logger, ...stale }, verdict('call_5'))).resolves.toBe('done');
  });

  it.each([
    // command not live here, what the owner relay says → what happens to the queue message
    { command: 'end', relayed: 'delivered', outcome: 'done' },
    { command: 'end', relayed: 'unreachable', outcome: 'retry_later' },
    { command: 'end', relayed: 'not_elsewhere', outcome: 'done' },
    { command: 'verdict', relayed: 'delivered', outcome: 'done' },
    { command: 'verdict', relayed: 'unreachable', outcome: 'retry_later' },
    { command: 'verdict', relayed: 'not_elsewhere', outcome: 'retry_later' },
  ] as const)(
    '$command for a call not live here, relay $relayed → $outcome',
    async ({ command, relayed, outcome }) => {
      const asked: string[] = [];
      const relay = async (sent: MediaCommand) => {
        asked.push(sent.callId);
        return relayed;
      };
      const options = {
        registry: createSessionRegistry(5),
        logger,
        relay,
        isCallOver: async () => false,
        now: () => Date.parse(base.occurredAt) + 1_000,
      };
      const sent = command === 'end' ? end('call_7') : verdict('call_7');
      await expect(runMediaCommand(options, sent)).resolves.toBe(outcome);
      expect(asked).toEqual(['call_7']);
    },
  );

  it('never relays a command for a call live on this task', async () => {
    const { registry, ended } = liveRegistry('call_8');
    const relay = async () => {
      throw new Error('must not relay');
    };
    await expect(runMediaCommand({ registry, logger, relay }, end('call_8'))).resolves.toBe('done');
    expect(ended).toEqual(['api_request']);
  });
});
