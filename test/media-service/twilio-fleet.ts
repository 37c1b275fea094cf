import type { TwilioWebhookTarget } from '../../fakes/twilio/webhooks.ts';
import { type MediaProcess, startMediaProcess } from './media-process.ts';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer.ts';
import { type MediaHarness, startMediaHarness } from './twilio-test-harness.ts';

export interface TwilioFleet {
  balancer: TcpBalancer;
  harness: MediaHarness;
  /** Where the fake Twilio sends its signed webhooks (the real gateway). */
  target: TwilioWebhookTarget;
  /** The running tasks; a task a test starts later (with `env`) and pushes here is stopped too. */
  tasks: MediaProcess[];
  /** The environment the tasks run with. */
  env: Record<string, string | undefined>;
  /** Kills what is left of the tasks, then the balancer and the platform. */
  stop(): Promise<void>;
}

/**
 * Two media-service processes behind a TCP load balancer for Twilio calls, on the harness's
 * platform (test helper shared by the failover tests): the balancer is the public media URL, so a
 * call's `<Connect action>` stream may land on either task.
 */
export async function startTwilioFleet(extraEnv: Record<string, string> = {}): Promise<TwilioFleet> {
  const balancer = await startTcpBalancer();
  const harness = await startMediaHarness({ PUBLIC_MEDIA_URL: balancer.url });
  const target = {
    apiUrl: harness.platform.apiUrl,
    publicUrl: harness.platform.env.PUBLIC_API_URL as string,
    authToken: harness.platform.secrets.TWILIO_AUTH_TOKEN,
  };
  const env = {
    ...harness.platform.env,
    OPENAI_REALTIME_URL: harness.realtime.url,
    OPENAI_API_KEY: 'sk-test',
    TWILIO_AUTH_TOKEN: '',
    MEDIA_MODEL_POOL_SIZE: '0',
    ...extraEnv,
  };
  const tasks = await Promise.all([startMediaProcess(env), startMediaProcess(env)]);
  balancer.setBackends(tasks.map((t) => t.port));
  await balancer.waitForHealthy(tasks.map((t) => t.port));
  return {
    balancer,
    harness,
    target,
    tasks,
    env,
    async stop() {
      for (const task of tasks) if (task.child.exitCode === null) task.child.kill('SIGKILL');
      await balancer.close();
      await harness.stop();
    },
  };
}
