import type { FakeAriServer } from '../../fakes/asterisk/ari-server.ts';
import { type MediaProcess, startMediaProcess } from './media-process.ts';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer.ts';

export const PERCALL_APP = 'ai-caller';
export const PERCALL_USER = 'asterisk';
export const PERCALL_PASSWORD = 'per-call-s3cret';

/**
 * Two media-service processes in Asterisk per-call mode behind a TCP load balancer, with the fake
 * ARI server opening its per-call connections through the balancer (test and bench helper: the
 * failover test and `bench:failover --transport asterisk` run the same fleet).
 */
export async function startPerCallFleet(
  ari: FakeAriServer,
  input: {
    /** The platform's endpoints and the model's (the processes inherit nothing else). */
    taskEnv: Record<string, string | undefined>;
    /** ApplicationRegistered → StasisStart delay of the fake Asterisk. */
    stasisDelayMs: number;
    closeDelayMs?: number;
  },
): Promise<{ balancer: TcpBalancer; tasks: MediaProcess[] }> {
  const balancer = await startTcpBalancer();
  const env = {
    ...input.taskEnv,
    ASTERISK_MODE: 'per_call',
    ARI_URL: ari.url,
    ARI_USERNAME: ari.username,
    ARI_PASSWORD: ari.password,
    ARI_APP: PERCALL_APP,
    ASTERISK_PERCALL_USERNAME: PERCALL_USER,
    ASTERISK_PERCALL_PASSWORD: PERCALL_PASSWORD,
  };
  const tasks = await Promise.all([startMediaProcess(env), startMediaProcess(env)]);
  balancer.setBackends(tasks.map((t) => t.port));
  await balancer.waitForHealthy(tasks.map((t) => t.port));
  ari.enablePerCall({
    app: PERCALL_APP,
    targets: [`ws://127.0.0.1:${balancer.port}/asterisk/ari`],
    username: PERCALL_USER,
    password: PERCALL_PASSWORD,
    stasisDelayMs: input.stasisDelayMs,
    ...(input.closeDelayMs !== undefined ? { closeDelayMs: input.closeDelayMs } : {}),
  });
  return { balancer, tasks };
}
