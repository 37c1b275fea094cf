import { describe, expect, it } from 'vitest';
import { signResumeToken } from '#shared/calls/resume-token.ts';
import type { MediaCommand } from '#shared/queues/contracts.ts';
import {
  RELAY_TOKEN_TTL_SECONDS,
  signRelayedCommand,
  signRelayedStream,
  verifyRelayedCommand,
  verifyRelayedStream,
} from './relay-token.ts';

const KEY = 'k'.repeat(40);
const NOW = Date.parse('2026-12-04T12:00:00Z');
const command: MediaCommand = {
  schemaVersion: 1,
  eventId: 'evt_1',
  occurredAt: '2026-12-04T12:00:00.000Z',
  tenantId: 'ten_1',
  type: 'call.end',
  callId: 'call_1',
  reason: 'api_request',
};

describe('relay tokens', () => {
  it('carry the command from one task to another', async () => {
    const token = await signRelayedCommand(command, 'task-a', KEY, NOW);
    await expect(verifyRelayedCommand(token, KEY, NOW + 1_000)).resolves.toEqual({
      ok: true,
      command,
      fromTaskId: 'task-a',
    });
  });

  it.each([
    {
      name: 'expired',
      sign: () => signRelayedCommand(command, 't', KEY, NOW),
      at: NOW + (RELAY_TOKEN_TTL_SECONDS + 1) * 1000,
    },
    {
      name: 'signed with another key',
      sign: () => signRelayedCommand(command, 't', 'x'.repeat(40), NOW),
      at: NOW,
    },
    { name: 'not a token', sign: async () => 'abc.def.ghi', at: NOW },
    {
      name: 'a resume token (same signing key, other purpose)',
      sign: async () =>
        (
          await signResumeToken(
            { callId: 'call_1', tenantId: 'ten_1', provider: 'web', generation: 1 },
            KEY,
            { nowMs: NOW },
          )
        ).token,
      at: NOW,
    },
  ])('refuses a token that is $name', async ({ sign, at }) => {
    await expect(verifyRelayedCommand(await sign(), KEY, at)).resolves.toEqual({
      ok: false,
      reason: 'invalid_token',
    });
  });

  it('refuses a well-signed token whose command is not a media command', async () => {
    const bogus = { ...command, type: 'call.explode' } as unknown as MediaCommand;
    const token = await signRelayedCommand(bogus, 't', KEY, NOW);
    await expect(verifyRelayedCommand(token, KEY, NOW)).resolves.toEqual({
      ok: false,
      reason: 'invalid_command',
    });
  });

  it('a relayed stream token names the call and the sending task, and is no command token', async () => {
    const token = await signRelayedStream('call_1', 'task-b', KEY, NOW);
    await expect(verifyRelayedStream(token, KEY, NOW + 1_000)).resolves.toEqual({
      callId: 'call_1',
      fromTaskId: 'task-b',
    });
    await expect(verifyRelayedCommand(token, KEY, NOW)).resolves.toMatchObject({ ok: false });
  });

  it.each([
    { name: 'expired', sign: () => signRelayedStream('call_1', 't', KEY, NOW), at: NOW + 31_000 },
    {
      name: 'signed with another key',
      sign: () => signRelayedStream('call_1', 't', 'x'.repeat(40), NOW),
      at: NOW,
    },
    { name: 'a command token', sign: () => signRelayedCommand(command, 't', KEY, NOW), at: NOW },
    { name: 'not a token', sign: async () => 'abc.def.ghi', at: NOW },
  ])('a relayed stream token is refused when it is $name', async ({ sign, at }) => {
    await expect(verifyRelayedStream(await sign(), KEY, at)).resolves.toBeUndefined();
  });
});
