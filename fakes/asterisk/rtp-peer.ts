import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { buildRtp, parseRtp, type RtpPacket } from '../../media-service/src/asterisk/rtp-packet.ts';

/**
 * Asterisk's side of an ExternalMedia RTP stream on loopback: sends 20 ms μ-law packets (PT 0,
 * timestamps stepping 160 from 160, no marker on the first packet, as the recordings show) to our
 * socket and records every packet it receives back with its arrival time.
 */
export interface ReceivedPacket extends RtpPacket {
  atMs: number;
  from: { address: string; port: number };
}

export async function startRtpPeer(host = '127.0.0.1') {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  const address = socket.address() as AddressInfo;
  const received: ReceivedPacket[] = [];
  const waiters: { match: () => boolean; resolve: () => void }[] = [];
  let garbageOrInvalid = 0;
  let sender: NodeJS.Timeout | undefined;
  let sequence = 0x5cf1;
  let timestamp = 160;
  const ssrc = 0x6a06b06d;

  const notify = () => {
    for (const waiter of [...waiters]) {
      if (waiter.match()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  socket.on('message', (datagram, from) => {
    const packet = parseRtp(datagram);
    if (!packet) {
      garbageOrInvalid++;
      return;
    }
    received.push({ ...packet, payload: Buffer.from(packet.payload), atMs: performance.now(), from });
    notify();
  });

  const sendPacket = (to: { address: string; port: number }, payload: Buffer) => {
    socket.send(
      buildRtp({ marker: false, payloadType: 0, sequence, timestamp, ssrc }, payload),
      to.port,
      to.address,
    );
    sequence = (sequence + 1) & 0xffff;
    timestamp = (timestamp + 160) >>> 0;
  };

  return {
    address: address.address,
    port: address.port,
    received,
    get invalidReceived() {
      return garbageOrInvalid;
    },
    /** Streams `audio` (μ-law) to `to` in 160-byte packets every 20 ms; loops when `loop` is set. */
    startSending(to: { address: string; port: number }, audio: Buffer, loop = false): Promise<void> {
      let offset = 0;
      return new Promise((resolve) => {
        const tick = () => {
          if (offset >= audio.length) {
            if (!loop) {
              sender = undefined;
              resolve();
              return;
            }
            offset = 0;
          }
          const frame = Buffer.alloc(160, 0xff);
          audio.copy(frame, 0, offset, offset + 160);
          offset += 160;
          sendPacket(to, frame);
          sender = setTimeout(tick, 20);
        };
        tick();
      });
    },
    stopSending(): void {
      clearTimeout(sender);
      sender = undefined;
    },
    /** One packet right now (for tests that need exact control). */
    sendPacket,
    /** Raw bytes, e.g. garbage, from this peer's socket. */
    sendRaw(to: { address: string; port: number }, bytes: Buffer): void {
      socket.send(bytes, to.port, to.address);
    },
    waitForPackets(count: number): Promise<void> {
      return new Promise((resolve) => {
        const match = () => received.length >= count;
        if (match()) resolve();
        else waiters.push({ match, resolve });
      });
    },
    close(): void {
      clearTimeout(sender);
      socket.close();
    },
  };
}

export type RtpPeer = Awaited<ReturnType<typeof startRtpPeer>>;
