import { describe, expect, it } from 'vitest';
import { holdUntilMs, ownerLapsed, ownerLastSeenMs } from './owner-lease.ts';

const NOW = 1_000_000;
const alive = { aliveUntilMs: NOW + 5_000, beatAtMs: NOW - 2_000 };
const stopped = { aliveUntilMs: NOW - 1, beatAtMs: NOW - 15_001 };

describe('a call hold read from its owner record and its task heartbeat', () => {
  const cases = [
    {
      name: 'live, task beating',
      owner: { state: 'live', lease: 'task', leaseUntilMs: NOW + 3_600_000, updatedAtMs: NOW - 60_000 },
      liveness: alive,
      until: NOW + 5_000,
      lapsed: false,
      lastSeen: NOW - 2_000,
    },
    {
      name: 'live, task stopped beating',
      owner: { state: 'live', lease: 'task', leaseUntilMs: NOW + 3_600_000, updatedAtMs: NOW - 60_000 },
      liveness: stopped,
      until: NOW - 1,
      lapsed: true,
      lastSeen: NOW - 15_001,
    },
    {
      name: 'live, the task never beat',
      owner: { state: 'live', lease: 'task', leaseUntilMs: NOW + 3_600_000, updatedAtMs: NOW - 60_000 },
      liveness: undefined,
      until: 0,
      lapsed: true,
      lastSeen: NOW - 60_000,
    },
    {
      name: 'live, claimed after the last beat',
      owner: { state: 'live', lease: 'task', leaseUntilMs: NOW + 3_600_000, updatedAtMs: NOW - 1_000 },
      liveness: alive,
      until: NOW + 5_000,
      lapsed: false,
      lastSeen: NOW - 1_000,
    },
    {
      name: 'detached (released), task still beating',
      owner: { state: 'detached', lease: 'task', leaseUntilMs: NOW - 500, updatedAtMs: NOW - 500 },
      liveness: alive,
      until: NOW - 500,
      lapsed: true,
      lastSeen: NOW - 500,
    },
    {
      name: 'handover',
      owner: { state: 'handover', lease: 'task', leaseUntilMs: NOW - 10, updatedAtMs: NOW - 10 },
      liveness: undefined,
      until: NOW - 10,
      lapsed: true,
      lastSeen: NOW - 10,
    },
    {
      name: 'an older task’s per-call lease, still running',
      owner: { state: 'live', leaseUntilMs: NOW + 9_000, updatedAtMs: NOW - 6_000 },
      liveness: stopped,
      until: NOW + 9_000,
      lapsed: false,
      lastSeen: NOW - 6_000,
    },
    {
      name: 'an older task’s per-call lease, run out',
      owner: { state: 'live', leaseUntilMs: NOW - 1, updatedAtMs: NOW - 15_001 },
      liveness: alive,
      until: NOW - 1,
      lapsed: true,
      lastSeen: NOW - 15_001,
    },
  ] as const;

  it.each(cases)('$name', ({ owner, liveness, until, lapsed, lastSeen }) => {
    expect(holdUntilMs(owner, liveness)).toBe(until);
    expect(ownerLapsed(owner, liveness, NOW)).toBe(lapsed);
    expect(ownerLastSeenMs(owner, liveness)).toBe(lastSeen);
  });

  it('a hold that runs out exactly now still holds (lapsed only once past)', () => {
    const owner = { state: 'live', lease: 'task', leaseUntilMs: 0, updatedAtMs: 0 } as const;
    expect(ownerLapsed(owner, { aliveUntilMs: NOW, beatAtMs: NOW - 15_000 }, NOW)).toBe(false);
    expect(ownerLapsed(owner, { aliveUntilMs: NOW, beatAtMs: NOW - 15_000 }, NOW + 1)).toBe(true);
  });
});
