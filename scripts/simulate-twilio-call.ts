/**
 * Simulates an inbound Twilio call against the local platform (`npm start`), end to end:
 * signs and posts the voice webhook like Twilio, follows the TwiML <Stream>, streams caller
 * audio as 20 ms μ-law frames in Twilio's JSON, echoes marks as playback completes, prints the
 * transcript as turns are stored, hangs up, posts the `completed` status callback and prints the
 * finished call.
 *
 *   npm run simulate:twilio -- [--wav file.wav | --say "text"] [--listen 15] [--to +1…] [--from +1…]
 *                              [--public-url https://…] [--credentials .local/credentials.json]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { twilioSignature } from '#shared/twilio/signature.ts';
import {
  FRAME_MS,
  loadCallerAudio,
  silence,
  synthesiseSpeech,
  toFrames,
  toneClip,
} from './lib/caller-audio.ts';
import { startFramePacer } from './lib/frame-pacer.ts';
import { connectTwilioStream } from './lib/twilio-stream-client.ts';

interface LocalCredentials {
  apiBaseUrl: string;
  apiKey: string;
  phoneNumber: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
}

const { values: args } = parseArgs({
  options: {
    credentials: { type: 'string', default: '.local/credentials.json' },
    wav: { type: 'string' },
    say: {
      type: 'string',
      default: 'Hi! I would like to book a teeth cleaning next Tuesday morning, please.',
    },
    listen: { type: 'string', default: '15' },
    to: { type: 'string' },
    from: { type: 'string', default: '+14155550123' },
    'public-url': { type: 'string' },
  },
});

const VOICE_PATH = '/webhooks/twilio/voice';
const STATUS_PATH = '/webhooks/twilio/status';
/** The agent counts as done talking after this much silence from it. */
const AGENT_QUIET_MS = 1200;

const print = (line = '') => process.stdout.write(`${line}\n`);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function loadCredentials(path: string): LocalCredentials {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalCredentials;
  } catch {
    throw new Error(`${path} not found: start the platform first (npm start).`);
  }
}

async function postSigned(
  credentials: LocalCredentials,
  publicUrl: string,
  path: string,
  params: Record<string, string>,
): Promise<Response> {
  return fetch(`${credentials.apiBaseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(credentials.twilioAuthToken, `${publicUrl}${path}`, params),
    },
    body: new URLSearchParams(params),
  });
}

async function api(credentials: LocalCredentials, path: string): Promise<unknown> {
  const response = await fetch(`${credentials.apiBaseUrl}${path}`, {
    headers: { authorization: `Bearer ${credentials.apiKey}` },
  });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

function callerAudio(): { audio: Buffer; source: string } {
  if (args.wav) return { audio: loadCallerAudio(args.wav), source: args.wav };
  const speech = synthesiseSpeech(args.say as string);
  if (speech) return { audio: speech, source: `espeak-ng: "${args.say}"` };
  return { audio: toneClip(), source: 'a 440 Hz tone (install espeak-ng and sox for speech)' };
}

/** Prints transcript turns as the media service stores them. */
function followTranscript(credentials: LocalCredentials, callId: string): { stop(): Promise<void> } {
  let printed = 0;
  let running = true;
  const printNew = async () => {
    const body = (await api(credentials, `/v1/calls/${callId}/transcript`)) as {
      items: { role: string; text: string; interrupted?: boolean }[];
    };
    for (const turn of body.items.slice(printed)) {
      print(`  ${turn.role.padEnd(6)} ${turn.text}${turn.interrupted ? '  [interrupted]' : ''}`);
    }
    printed = Math.max(printed, body.items.length);
  };
  const loop = (async () => {
    while (running) {
      await printNew().catch(() => undefined);
      await delay(700);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await printNew().catch(() => undefined);
    },
  };
}

async function main(): Promise<void> {
  const credentials = loadCredentials(args.credentials as string);
  const publicUrl = (args['public-url'] ?? process.env.PUBLIC_API_URL ?? credentials.apiBaseUrl).replace(
    /\/+$/,
    '',
  );
  const callSid = `CA${crypto.randomUUID().replaceAll('-', '')}`;
  const to = args.to ?? credentials.phoneNumber;
  const from = args.from as string;
  const listenMs = Number(args.listen) * 1000;
  const { audio, source } = callerAudio();

  print(`Calling ${to} from ${from} (CallSid ${callSid})`);
  const voice = await postSigned(credentials, publicUrl, VOICE_PATH, {
    AccountSid: credentials.twilioAccountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: from,
    To: to,
    Caller: from,
    Called: to,
  });
  const twiml = await voice.text();
  if (!voice.ok) throw new Error(`The voice webhook answered ${voice.status}: ${twiml}`);
  const streamUrl = /<Stream url="([^"]+)"/.exec(twiml)?.[1]?.replaceAll('&amp;', '&');
  if (!streamUrl) {
    print(`The platform did not connect the call. TwiML:\n${twiml}`);
    process.exitCode = 1;
    return;
  }
  const parameters: Record<string, string> = {};
  for (const match of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) {
    parameters[match[1] as string] = (match[2] as string).replaceAll('&amp;', '&');
  }
  const callId = parameters.callId as string;
  print(`TwiML: <Connect><Stream url="${streamUrl}"> for ${callId}`);

  let agentBytes = 0;
  let hungUpBy: string | undefined;
  const stream = await connectTwilioStream({
    url: streamUrl,
    customParameters: parameters,
    callSid,
    accountSid: credentials.twilioAccountSid,
    onMedia: (payload) => {
      agentBytes += (payload.length * 3) / 4;
    },
    onClose: (code, reason) => {
      hungUpBy ??= `the platform closed the stream (${code}${reason ? ` ${reason}` : ''})`;
    },
  });
  stream.start();
  const startedAt = performance.now();
  const transcript = followTranscript(credentials, callId);
  print('Transcript (as stored):');

  // A phone line never goes quiet on the wire: silence frames flow whenever the caller is not talking.
  const queue: Buffer[] = [];
  const silentFrame = silence(FRAME_MS);
  const pacer = startFramePacer(FRAME_MS, () =>
    stream.sendMedia((queue.shift() ?? silentFrame).toString('base64')),
  );

  /**
   * Resolves once the agent has spoken and the caller has heard it all (audio arrives faster than
   * it plays), then a pause; or when the platform hangs up; or after `maxMs`.
   */
  const agentFinished = async (sinceBytes: number, maxMs: number) => {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline && !hungUpBy) {
      if (agentBytes > sinceBytes && performance.now() - stream.playingUntil > AGENT_QUIET_MS) return;
      await delay(100);
    }
  };

  await agentFinished(0, 10_000); // the greeting
  if (!hungUpBy) {
    print(`  (caller speaks: ${source}, ${Math.round(audio.length / 8)} ms)`);
    const beforeReply = agentBytes;
    queue.push(...toFrames(audio));
    while (queue.length > 0 && !hungUpBy) await delay(FRAME_MS);
    await agentFinished(beforeReply, listenMs);
  }

  pacer.stop();
  const durationSeconds = Math.round((performance.now() - startedAt) / 1000);
  const by = hungUpBy ?? 'the caller hung up';
  if (!hungUpBy) await stream.stop();
  await transcript.stop();
  print(
    `Call over after ${durationSeconds} s: ${by}; the agent sent ${Math.round(agentBytes / 8)} ms of audio.`,
  );

  const status = await postSigned(credentials, publicUrl, STATUS_PATH, {
    AccountSid: credentials.twilioAccountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'completed',
    CallDuration: String(durationSeconds),
    CallbackSource: 'call-progress-events',
    Direction: 'inbound',
    From: from,
    To: to,
    SequenceNumber: '0',
    Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
  });
  await status.body?.cancel();
  print(`Status callback (completed): HTTP ${status.status}`);
  print(`\nGET /v1/calls/${callId}`);
  print(JSON.stringify(await api(credentials, `/v1/calls/${callId}`), null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
