import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadEnv } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { startChildGuard } from './child-guard.ts';
import { buildConsole } from '../../console/build/build-console.ts';
import { startControlPlane } from './control-plane.ts';
import { JavaMissingError } from './dynamodb-local.ts';
import { loadOrCreateLocalSecrets } from './local-secrets.ts';
import { assertPortFree, PortInUseError } from './ports.ts';
import { ensureSeedData } from './seed.ts';
import { startStandIns } from './stand-ins.ts';
import { ensureLocalOwner } from './seed-owner.ts';
import { keyringFromEnv } from '#shared/people/signing-keys.ts';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Local state (emulator data, credentials, generated secrets); LOCAL_DIR (or LOCAL_DATA_DIR) moves it (tests do). */
const localOverride = process.env.LOCAL_DIR || process.env.LOCAL_DATA_DIR;
const localDir = localOverride ? resolve(localOverride) : join(rootDir, '.local');

/** Polls a health URL until it answers (any status: it is listening) or `gaveUp()`; 30 s at most. */
async function waitForHealth(url: string, gaveUp: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return false;
}

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const fresh = process.argv.includes('--fresh');
  if (fresh) {
    rmSync(join(localDir, 'data'), { recursive: true, force: true });
    rmSync(join(localDir, 'credentials.json'), { force: true });
  }
  let env: ReturnType<typeof loadEnv>;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ level: env.LOG_LEVEL, context: { service: 'local' } });
  await assertPortFree(env.API_PORT, 'API');
  await assertPortFree(env.MEDIA_PORT, 'media');

  // Children die with this process however it ends, even by SIGKILL.
  const guard = startChildGuard(rootDir);
  const localSecrets = loadOrCreateLocalSecrets(join(localDir, 'secrets.json'));
  const twilioAccountSid = process.env.TWILIO_ACCOUNT_SID || localSecrets.TWILIO_ACCOUNT_SID;
  const twilioAuthToken = process.env.TWILIO_AUTH_TOKEN || localSecrets.TWILIO_AUTH_TOKEN;
  const publicApiUrl = process.env.PUBLIC_API_URL || `http://127.0.0.1:${env.API_PORT}`;
  const publicMediaUrl = process.env.PUBLIC_MEDIA_URL || `http://127.0.0.1:${env.MEDIA_PORT}`;
  const handlerEnv: Record<string, string> = {
    // Metrics (EMF records) and trace segments of every local process, one JSON line each.
    TELEMETRY_FILE: process.env.TELEMETRY_FILE || join(localDir, 'telemetry.jsonl'),
    ADMIN_API_KEY: process.env.ADMIN_API_KEY || localSecrets.ADMIN_API_KEY,
    INTERNAL_SIGNING_KEY: process.env.INTERNAL_SIGNING_KEY || localSecrets.INTERNAL_SIGNING_KEY,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET || localSecrets.STRIPE_WEBHOOK_SECRET,
    SESSION_SIGNING_KEYS: process.env.SESSION_SIGNING_KEYS || localSecrets.SESSION_SIGNING_KEYS,
    TWILIO_ACCOUNT_SID: twilioAccountSid,
    TWILIO_AUTH_TOKEN: twilioAuthToken,
    PUBLIC_API_URL: publicApiUrl,
    PUBLIC_MEDIA_URL: publicMediaUrl,
  };
  const openAiKeySet = Boolean(process.env.OPENAI_API_KEY);
  const standIns = await startStandIns({
    env: process.env,
    twilio: { accountSid: twilioAccountSid, authToken: twilioAuthToken },
    logger,
  });
  Object.assign(handlerEnv, standIns.env);

  // The console is rebuilt only when its sources changed; a broken build leaves the API running.
  const consoleBuild = await buildConsole(rootDir).catch((error: Error) => {
    process.stderr.write(`\n[console] build failed, the console is not served: ${error.message}\n\n`);
    return null;
  });
  const controlPlane = await startControlPlane({
    rootDir,
    logger,
    dataDir: join(localDir, 'data'),
    apiPort: env.API_PORT,
    env: handlerEnv,
    onChildProcess: (pid) => guard.watch(pid),
    console: consoleBuild
      ? {
          distDir: consoleBuild.distDir,
          security: { mediaOrigin: new URL(publicMediaUrl).origin },
        }
      : undefined,
  });
  const mediaBaseUrl = `http://127.0.0.1:${env.MEDIA_PORT}`;
  const { credentials, created } = await ensureSeedData(
    dbFromEnv(),
    join(localDir, 'credentials.json'),
    { apiBaseUrl: controlPlane.apiUrl, mediaBaseUrl },
    { twilioAccountSid, twilioAuthToken, adminApiKey: handlerEnv.ADMIN_API_KEY as string },
  );

  const owner = await ensureLocalOwner(
    { db: dbFromEnv(), keyring: keyringFromEnv(), masterKey: handlerEnv.INTERNAL_SIGNING_KEY as string },
    { tenantId: credentials.tenantId, consoleUrl: process.env.CONSOLE_URL || publicApiUrl },
  );
  const ownerLine = owner.invitationUrl
    ? `Owner sign-up  ${owner.invitationUrl}\n                 (${owner.email}: set a password; POST /v1/auth/accept-invitation takes the token)`
    : `Owner          ${owner.email} (signs in at POST /v1/auth/sign-in; --fresh starts over)`;

  const media: ChildProcess = spawn(process.execPath, [join(rootDir, 'media-service/src/main.ts')], {
    env: {
      ...process.env,
      ...controlPlane.env,
      MEDIA_PORT: String(env.MEDIA_PORT),
      // The browser demo page (/call/demo) calls this agent; it works only on the local stage.
      WEB_DEMO_AGENT: `${credentials.tenantId}/${credentials.agentId}`,
    },
    stdio: 'inherit',
  });
  guard.watch(media.pid);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the platform…\n');
    if (media.exitCode === null && media.signalCode === null) {
      const exited = new Promise((r) => media.once('exit', r));
      media.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (media.exitCode === null) media.kill('SIGKILL');
    }
    await controlPlane.stop();
    await standIns.stop();
    process.exit(code);
  };
  let mediaDrained = false;
  media.once('exit', (code, signal) => {
    if (stopping) return;
    if (code === 0) {
      // Exit 0 is a drain someone asked for (SIGTERM to the media service): not a failure.
      mediaDrained = true;
      logger.warn('media service drained and stopped; the API keeps running (restart npm start for calls)');
      return;
    }
    logger.error('media service exited', { code, signal });
    void stop(1);
  });
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // A crash of the supervisor still stops its children in order (the guard covers harder deaths).
  const crash = (error: unknown) => {
    logger.error('local platform crashed', { err: error });
    void stop(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  // Print the links only once the media service answers, so the first click works.
  const gaveUp = () => stopping || media.exitCode !== null || mediaDrained;
  if (!(await waitForHealth(`${mediaBaseUrl}/health`, gaveUp))) {
    // Ctrl-C while starting is a stop someone asked for, not a media service that failed.
    if (stopping) return;
    process.stderr.write('\nThe media service did not start; see its log above.\n');
    await stop(1);
    return;
  }

  const outside = [
    ...(openAiKeySet ? ['OPENAI_API_KEY is set: calls talk to OpenAI.'] : []),
    ...standIns.describe(),
  ].join('\n  ');
  process.stdout.write(`
ai-caller is running ${created ? '(seeded a dev tenant)' : '(data kept from the last run; --fresh wipes it)'}

  Console        ${consoleBuild ? `${controlPlane.apiUrl}/` : '(not built, see the error above)'}
  API            ${controlPlane.apiUrl}        (docs: ${controlPlane.apiUrl}/docs)
  Media service  ${mediaBaseUrl}
  Tenant         ${credentials.tenantId}
  API key        ${credentials.apiKey}
  ${ownerLine}
  Demo agent     ${credentials.agentId}
  Browser call   ${mediaBaseUrl}/call/demo   (open it, press Start, allow the microphone)
  Demo number    ${credentials.phoneNumber}
  Credentials    .local/credentials.json

  ${outside}

  Try:  curl -H "Authorization: Bearer ${credentials.apiKey}" ${controlPlane.apiUrl}/v1/agents
        npm run simulate:twilio      (an inbound phone call, printed as it happens)
        README.md, "Try it in five minutes": a browser call, an outbound call, each call's record

Ctrl-C stops everything.
`);
}

main().catch((error) => {
  if (error instanceof JavaMissingError || error instanceof PortInUseError) fail(error.message);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
