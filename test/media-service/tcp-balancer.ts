import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { MEDIA_HEALTH_PATH } from '#shared/health/media-paths.ts';

/**
 * A small TCP load balancer for process-level tests, in front of media tasks the way an AWS load
 * balancer is: new connections go round-robin to the healthy backends (`GET /health` answers 200;
 * two failed checks in a row make a backend unhealthy, one pass healthy again; with none healthy
 * it fails open to all), a backend that refuses the connection is skipped at once, and bytes are
 * piped both ways untouched (WebSocket upgrades included). Test-only.
 */
export interface TcpBalancer {
  readonly port: number;
  readonly url: string;
  /** Backends by port; checked every `healthEveryMs`. */
  setBackends(ports: number[]): void;
  /** Connections handed to each backend port so far. */
  readonly assigned: Map<number, number>;
  /** Resolves once the health checks see exactly these backends healthy. */
  waitForHealthy(ports: number[]): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpBalancer(options: { healthEveryMs?: number } = {}): Promise<TcpBalancer> {
  let backends: number[] = [];
  const healthy = new Set<number>();
  const failures = new Map<number, number>();
  const assigned = new Map<number, number>();
  const sockets = new Set<Socket>();
  const healthWaiters: { ports: number[]; resolve: () => void }[] = [];
  let next = 0;

  const settleWaiters = () => {
    for (const waiter of [...healthWaiters]) {
      const same = waiter.ports.length === healthy.size && waiter.ports.every((p) => healthy.has(p));
      if (!same) continue;
      healthWaiters.splice(healthWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const check = async (port: number) => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${MEDIA_HEALTH_PATH}`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) {
        failures.set(port, 0);
        healthy.add(port);
        return;
      }
    } catch {
      // counted below
    }
    const failed = (failures.get(port) ?? 0) + 1;
    failures.set(port, failed);
    if (failed >= 2) healthy.delete(port);
  };
  let checking = false;
  const timer = setInterval(async () => {
    if (checking) return;
    checking = true;
    await Promise.all(backends.map(check));
    checking = false;
    settleWaiters();
  }, options.healthEveryMs ?? 100);

  const pick = (skip: Set<number>): number | undefined => {
    const live = backends.filter((p) => healthy.has(p));
    const candidates = (live.length > 0 ? live : backends).filter((p) => !skip.has(p));
    if (candidates.length === 0) return undefined;
    next = (next + 1) % candidates.length;
    return candidates[next];
  };

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    client.pause();
    const tried = new Set<number>();
    const attempt = () => {
      const port = pick(tried);
      if (port === undefined) {
        client.destroy();
        return;
      }
      tried.add(port);
      const upstream = connect(port, '127.0.0.1');
      upstream.once('connect', () => {
        assigned.set(port, (assigned.get(port) ?? 0) + 1);
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.once('error', () => {
        if (upstream.connecting || !upstream.remoteAddress) {
          healthy.delete(port);
          failures.set(port, 2);
          attempt();
        }
      });
    };
    attempt();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    assigned,
    setBackends(ports) {
      backends = [...ports];
      for (const p of [...healthy]) if (!backends.includes(p)) healthy.delete(p);
    },
    waitForHealthy(ports) {
      return new Promise((resolve) => {
        healthWaiters.push({ ports, resolve });
        settleWaiters();
      });
    },
    async close() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
