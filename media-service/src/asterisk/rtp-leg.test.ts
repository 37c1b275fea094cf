import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { type RtpPeer, startRtpPeer } from '../../../fakes/asterisk/rtp-peer.ts';
import { loadRecording } from '../../../test/fixtures/asterisk-22/recordings.ts';
import { buildRtp } from './rtp-packet.ts';
import { RtpLeg } from './rtp-leg.ts';
import { RtpPortPool } from './rtp-port-pool.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function setup() {
  const peer: RtpPeer = await startRtpPeer();
  const pool = new RtpPortPool({
    host: '127.0.0.1',
    min: 20000 + Math.floor(Math.random() * 20000),
    max: 65000,
  });
  const lease = await pool.acquire();
  const audio: Buffer[] = [];
  const played: [string, number][] = [];
  let wake: (() => void) | undefined;
  const leg = new RtpLeg({
    lease,
    remote: { address: peer.address, port: peer.port },
    onAudio: (payload) => {
      audio.push(Buffer.from(payload));
      wake?.();
    },
    onPlayed: (tag, ms) => played.push([tag, ms]),
  });
  cleanups.push(
    () => peer.close(),
    () => lease.release(),
    () => leg.close(),
  );
  const untilAudio = async (count: number) => {
    while (audio.length < count) await new Promise<void>((resolve) => (wake = resolve));
  };
  return { peer, lease, leg, audio, played, untilAudio, to: { address: '127.0.0.1', port: lease.port } };
}

describe('RtpLeg', () => {
  it('delivers recorded Asterisk μ-law payloads and ignores garbage and other sources', async () => {
    const { peer, leg, audio, untilAudio, to } = await setup();
    const recorded = loadRecording('ari-ulaw')
      .rtpReceived.slice(0, 3)
      .map((p) => Buffer.from(p.hex, 'hex'));
    peer.sendRaw(to, Buffer.from('garbage that is not RTP'));
    peer.sendRaw(to, Buffer.alloc(4));
    peer.sendRaw(
      to,
      buildRtp({ marker: false, payloadType: 118, sequence: 1, timestamp: 1, ssrc: 1 }, Buffer.alloc(640)),
    );
    const stranger = createSocket('udp4');
    stranger.send(recorded[0]!, to.port, to.address);
    await new Promise<void>((resolve) => stranger.once('close', resolve).close());
    for (const packet of recorded) peer.sendRaw(to, packet);
    await untilAudio(3);
    expect(audio.map((a) => a.toString('hex'))).toEqual(recorded.map((p) => p.subarray(12).toString('hex')));
    expect(leg.stats.packetsIn).toBe(3);
    expect(leg.stats.ignored).toBeGreaterThanOrEqual(3);
  });

  it('sends paced RTP from the leased port with a marker, PT 0 and 160-sample steps, and reports played ms per item', async () => {
    const { peer, leg, played, lease } = await setup();
    leg.play(Buffer.alloc(160 * 5, 0x55), 'item_1');
    await peer.waitForPackets(5);
    const packets = peer.received;
    expect(packets.map((p) => p.from.port)).toEqual(Array(5).fill(lease.port));
    expect(packets[0]).toMatchObject({ marker: true, payloadType: 0 });
    expect(packets.slice(1).every((p) => !p.marker)).toBe(true);
    for (let i = 1; i < 5; i++) {
      expect(packets[i]!.sequence).toBe((packets[i - 1]!.sequence + 1) & 0xffff);
      expect((packets[i]!.timestamp - packets[i - 1]!.timestamp) >>> 0).toBe(160);
    }
    expect(played.at(-1)).toEqual(['item_1', 100]);
  });
});
