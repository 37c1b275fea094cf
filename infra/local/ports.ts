import { createServer } from 'node:net';

/** A port the OS says is free right now (for emulators that cannot bind port 0 themselves). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, what: string) {
    super(
      `Port ${port} (${what}) is already in use. Stop whatever holds it or choose another port, e.g. ${what === 'API' ? 'API_PORT' : 'MEDIA_PORT'}=${port + 1} npm start.`,
    );
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/** Resolves when `port` can be bound, rejects with PortInUseError otherwise. */
export function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', () => reject(new PortInUseError(port, what)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
