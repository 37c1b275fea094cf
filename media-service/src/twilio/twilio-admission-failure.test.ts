import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeSecretsManager,
  startFakeSecretsManager,
} from '../../../fakes/aws/secrets-manager-server.ts';
import { rootDir } from '../../../test/platform.ts';
import { TWILIO_CLOSE } from './twilio-transport.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

let harness: MediaHarness;
let secretsManager: FakeSecretsManager;

beforeAll(async () => {
  harness = await startMediaHarness();
  secretsManager = await startFakeSecretsManager({
    INTERNAL_SIGNING_KEY: harness.platform.secrets.INTERNAL_SIGNING_KEY,
    OPENAI_API_KEY: 'sk-test',
  });
}, 60_000);
afterAll(async () => {
  await secretsManager?.close();
  await harness?.stop();
});

/** The media service as its own process, reading secrets from the fake Secrets Manager on every use. */
async function startMediaProcess() {
  const child: ChildProcess = spawn(process.execPath, ['media-service/src/main.ts'], {
    cwd: rootDir,
    env: {
      ...process.env,
      ...harness.platform.env,
      OPENAI_REALTIME_URL: harness.realtime.url,
      SECRETS_ARN: secretsManager.arn,
      SECRETS_ENDPOINT: secretsManager.url,
      SECRETS_CACHE_TTL_SECONDS: '0',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      MEDIA_PORT: '0',
      MEDIA_MODEL_POOL_SIZE: '0',
      LOG_LEVEL: 'info',
      DRAIN_GRACE_SECONDS: '5',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve) =>
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'media service listening') resolve(Number(entry.port));
    }),
  );
  return { child, exited, streamUrl: `ws://127.0.0.1:${port}/twilio/stream` };
}

describe('a call whose admission fails', () => {
  it('is closed politely (1013) while the process and its other live calls stay up', async () => {
    const media = await startMediaProcess();
    const live = await harness.newCall();
    const before = harness.realtime.connections.length;
    const liveClient = await harness.connect(media.streamUrl, live.token, live.call, { autoPlay: true });
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');

    secretsManager.failing = true;
    const doomed = await harness.newCall();
    const doomedClient = await harness.connect(media.streamUrl, doomed.token, doomed.call);
    const closed = await doomedClient.closed;
    expect(closed.code).toBe(TWILIO_CLOSE.tryAgainLater);
    expect(media.child.exitCode).toBeNull();

    secretsManager.failing = false;
    model.callerTranscript('item_live', 'Are you still there?');
    liveClient.stop();
    await expect.poll(async () => (await harness.callRecord(live.call.id))?.status).toBe('completed');
    // The refused call was never started: its slot on this task is free again.
    media.child.kill('SIGTERM');
    expect(await media.exited).toBe(0);
  }, 40_000);
});
