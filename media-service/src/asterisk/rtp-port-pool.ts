import { createSocket, type Socket } from 'node:dgram';
import { UnavailableError } from '#shared/errors/app-error.ts';

/** Every port of the range is held by a live call (or by another process): refuse the call. */
export class RtpPortsExhaustedError extends UnavailableError {
  constructor(min: number, max: number) {
    super('No RTP port is free for a new call.', { details: { reason: 'rtp_ports_exhausted', min, max } });
    this.name = 'RtpPortsExhaustedError';
  }
}

export interface RtpPortLease {
  readonly port: number;
  readonly socket: Socket;
  /** Closes the socket and returns the port to the pool; safe to call twice. */
  release(): void;
}

/**
 * Hands out one bound UDP socket per call from `[min, max]`. A port is never handed out while a
 * lease on it is live, and a port some other process holds (EADDRINUSE) is skipped. Allocation
 * walks the range round-robin so a just-released port is the last to be reused: the old
 * ExternalMedia channel may still be sending to it for a moment.
 */
export class RtpPortPool {
  readonly #host: string;
  readonly #min: number;
  readonly #max: number;
  readonly #leased = new Set<number>();
  #next: number;

  constructor(options: { host: string; min: number; max: number }) {
    if (options.min > options.max || options.min < 1) throw new RangeError('invalid RTP port range');
    this.#host = options.host;
    this.#min = options.min;
    this.#max = options.max;
    this.#next = options.min;
  }

  get inUse(): number {
    return this.#leased.size;
  }

  get size(): number {
    return this.#max - this.#min + 1;
  }

  async acquire(): Promise<RtpPortLease> {
    for (let tried = 0; tried < this.size; tried++) {
      const port = this.#next;
      this.#next = port === this.#max ? this.#min : port + 1;
      if (this.#leased.has(port)) continue;
      this.#leased.add(port);
      const socket = await bind(this.#host, port).catch(() => undefined);
      if (!socket) {
        this.#leased.delete(port);
        continue;
      }
      return this.#lease(port, socket);
    }
    throw new RtpPortsExhaustedError(this.#min, this.#max);
  }

  #lease(port: number, socket: Socket): RtpPortLease {
    let released = false;
    socket.on('error', () => undefined);
    return {
      port,
      socket,
      release: () => {
        if (released) return;
        released = true;
        try {
          socket.close();
        } catch {
          // already closed by an error
        }
        this.#leased.delete(port);
      },
    };
  }
}

function bind(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    const onError = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
