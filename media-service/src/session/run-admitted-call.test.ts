import { describe, expect, it } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { runAdmittedCall } from './run-admitted-call.ts';
import { createSessionRegistry } from './session-registry.ts';

const logger = createLogger({ level: 'error' });

describe('runAdmittedCall', () => {
  it('on a failure after the slot was taken: releases it, closes the caller, resolves', async () => {
    const registry = createSessionRegistry(1);
    const closed: string[] = [];
    await expect(
      runAdmittedCall({
        transport: 'test',
        logger,
        admitAndStart: async (progress) => {
          const reservation = registry.reserve('call_1');
          if (!reservation.ok) throw new Error('no place');
          progress.hold(reservation.slot);
          throw new Error('secret fetch failed');
        },
        closeCaller: () => closed.push('closed'),
      }),
    ).resolves.toBeUndefined();
    expect(closed).toEqual(['closed']);
    expect(registry.snapshot().liveCalls).toBe(0);
  });

  it('on a failure before any slot, and a caller leg that cannot be closed: still resolves', async () => {
    await expect(
      runAdmittedCall({
        transport: 'test',
        logger,
        admitAndStart: () => Promise.reject(new Error('dynamodb down')),
        closeCaller: () => Promise.reject(new Error('ari down')),
      }),
    ).resolves.toBeUndefined();
  });

  it('leaves the caller and the slot alone when the call started', async () => {
    const registry = createSessionRegistry(1);
    let closed = false;
    await runAdmittedCall({
      transport: 'test',
      logger,
      admitAndStart: async (progress) => {
        const reservation = registry.reserve('call_2');
        if (reservation.ok) progress.hold(reservation.slot);
      },
      closeCaller: () => {
        closed = true;
      },
    });
    expect(closed).toBe(false);
    expect(registry.snapshot().liveCalls).toBe(1);
  });
});
