import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { type RtpPortLease, RtpPortPool, RtpPortsExhaustedError } from './rtp-port-pool.ts';

/** A free run of ports: bind port 0 and use the OS's choice as the range start. */
async function freeRange(length: number): Promise<{ min: number; max: number }> {
  for (;;) {
    const probe = createSocket('udp4');
    const port = await new Promise<number>((resolve) =>
      probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)),
    );
    probe.close();
    if (port + length - 1 <= 65535) return { min: port, max: port + length - 1 };
  }
}

const leases: RtpPortLease[] = [];
afterEach(() => {
  for (const lease of leases.splice(0)) lease.release();
});

describe('RtpPortPool', () => {
  it('never hands out a port that is still leased, and refuses cleanly when the range is used up', async () => {
    const range = await freeRange(3);
    const pool = new RtpPortPool({ host: '127.0.0.1', ...range });
    for (let i = 0; i < 3; i++) leases.push(await pool.acquire());
    expect(new Set(leases.map((l) => l.port)).size).toBe(3);
    const refused = await pool.acquire().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RtpPortsExhaustedError);
    expect(refused).toMatchObject({ code: 'unavailable', details: { reason: 'rtp_ports_exhausted' } });
    expect(pool.inUse).toBe(3);
  });

  it('reuses a port after release, and a double release is harmless', async () => {
    const range = await freeRange(1);
    const pool = new RtpPortPool({ host: '127.0.0.1', ...range });
    const first = await pool.acquire();
    first.release();
    first.release();
    const second = await pool.acquire();
    leases.push(second);
    expect(second.port).toBe(first.port);
    expect(pool.inUse).toBe(1);
  });

  it('skips a port another process holds', async () => {
    const range = await freeRange(2);
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(range.min, '127.0.0.1', () => resolve()));
    try {
      const pool = new RtpPortPool({ host: '127.0.0.1', ...range });
      const lease = await pool.acquire();
      leases.push(lease);
      expect(lease.port).toBe(range.max);
      await expect(pool.acquire()).rejects.toBeInstanceOf(RtpPortsExhaustedError);
    } finally {
      squatter.close();
    }
  });

  it('gives each lease its own bound socket that receives datagrams', async () => {
    const range = await freeRange(2);
    const pool = new RtpPortPool({ host: '127.0.0.1', ...range });
    const lease = await pool.acquire();
    leases.push(lease);
    const received = new Promise<Buffer>((resolve) => lease.socket.once('message', resolve));
    const sender = createSocket('udp4');
    sender.send(Buffer.from('hi'), lease.port, '127.0.0.1');
    expect((await received).toString()).toBe('hi');
    sender.close();
  });
});
