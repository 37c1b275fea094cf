import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { startFakeAriServer } from '../../../fakes/asterisk/ari-server.ts';
import { startRtpPeer } from '../../../fakes/asterisk/rtp-peer.ts';
import { rootDir } from '../../../test/platform.ts';
import {
  expectEndedByShutdown,
  freePortRange,
  useAsteriskHarness,
} from '../../../test/media-service/asterisk-test-harness.ts';

// The process test has its own file, so its media command queue has no other consumer (not even a long poll that an
// earlier test's consumer aborted, which the queue server still answers).
const { media, setup, outboundCall, dialFromQueue, cleanups } = useAsteriskHarness();

describe('Asterisk start-up', () => {
  it('a call dialed while the start-up cleanup runs is kept, not hung up as a leftover', async () => {
    let openList!: () => void;
    const channelListGate = new Promise<void>((resolve) => {
      openList = resolve;
    });
    const s = await setup({ ports: 2, originate: () => 'hold', channelListGate });
    await s.ari.waitForRequest((r) => r.method === 'GET' && r.path === '/ari/bridges');
    const { call, command } = await outboundCall('+15550005558');
    await s.asterisk.originate(command);
    const channelId = `ai-caller-out-${call.id}`;
    await s.ari.waitUntil(() => s.ari.channels.get(channelId)?.state === 'Ringing');

    // The cleanup's channel list now includes the ringing call.
    openList();
    await s.asterisk.ready;
    const listed = await s.ari.waitForRequest((r) => r.method === 'GET' && r.path === '/ari/channels');
    expect(listed.status).toBe(200);
    expect(s.ari.requests.filter((r) => r.method === 'DELETE' && r.path.includes(call.id))).toEqual([]);
    expect(s.ari.channels.get(channelId)?.state).toBe('Ringing');
    expect(s.asterisk.outbound.ringing).toBe(1);
    expect((await media().callRecord(call.id))?.status).toBe('ringing');
  });
});

describe('the media service process with Asterisk configured', () => {
  it('the media service process: one ARI connection, and SIGTERM ends a ringing call then exits 0', async () => {
    const peer = await startRtpPeer();
    const ari = await startFakeAriServer({
      rtpPeerFor: () => ({ address: peer.address, port: peer.port }),
      originateOutcome: () => 'hold',
    });
    cleanups.push(
      () => peer.close(),
      () => ari.close(),
    );
    const range = await freePortRange(4);
    const child: ChildProcess = spawn(process.execPath, ['media-service/src/main.ts'], {
      cwd: rootDir,
      env: {
        ...process.env,
        ...media().platform.env,
        OPENAI_REALTIME_URL: media().realtime.url,
        OPENAI_API_KEY: 'sk-test',
        MEDIA_PORT: '0',
        MEDIA_MODEL_POOL_SIZE: '0',
        LOG_LEVEL: 'info',
        DRAIN_GRACE_SECONDS: '0',
        ARI_URL: ari.url,
        ARI_USERNAME: ari.username,
        ARI_PASSWORD: ari.password,
        RTP_PORT_MIN: String(range.min),
        RTP_PORT_MAX: String(range.max),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const draining = new Promise<void>((resolve) =>
      lines.on('line', (line) => {
        if ((JSON.parse(line) as { msg?: string }).msg === 'draining') resolve();
      }),
    );
    const { call, activeBefore } = await dialFromQueue(ari, '+15550005557');
    // One Asterisk transport per process: a second one would mean two consumers of each event.
    expect(ari.eventSocketsOpened).toBe(1);
    expect(ari.requests.filter((r) => r.method === 'POST' && r.path === '/ari/channels')).toHaveLength(1);

    child.kill('SIGTERM');
    await draining;
    expect(await exited).toBe(0);
    await expectEndedByShutdown(media(), ari, call.id, activeBefore);
    expect(ari.eventSockets).toBe(0);
  }, 30_000);
});
