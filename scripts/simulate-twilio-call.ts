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
import { loadCallerAudio, synthesiseSpeech, syllableClip } from '../fakes/audio/caller-audio.ts';
import { runPhoneCall } from '../fakes/twilio/phone.ts';
import { sendTwilioWebhook, type TwilioWebhookTarget, voiceParams } from '../fakes/twilio/webhooks.ts';

interface LocalCredentials {
  apiBaseUrl: string;
  apiKey: string;
  phoneNumber: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
}

const { values: args } = parseArgs({
  options: {
    credentials: { type: 'string', default: `${process.env.LOCAL_DATA_DIR ?? '.local'}/credentials.json` },
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

const print = (line = '') => process.stdout.write(`${line}\n`);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function loadCredentials(path: string): LocalCredentials {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalCredentials;
  } catch {
    throw new Error(`${path} not found: start the platform first (npm start).`);
  }
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
  return { audio: syllableClip(), source: 'tone syllables (install espeak-ng and sox for speech)' };
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
  const target: TwilioWebhookTarget = {
    apiUrl: credentials.apiBaseUrl,
    publicUrl: (args['public-url'] ?? process.env.PUBLIC_API_URL ?? credentials.apiBaseUrl).replace(
      /\/+$/,
      '',
    ),
    authToken: credentials.twilioAuthToken,
  };
  const callSid = `CA${crypto.randomUUID().replaceAll('-', '')}`;
  const to = args.to ?? credentials.phoneNumber;
  const from = args.from as string;
  const { audio, source } = callerAudio();
  const fields = { callSid, from, to, accountSid: credentials.twilioAccountSid };

  print(`Calling ${to} from ${from} (CallSid ${callSid})`);
  const voice = await sendTwilioWebhook(target, VOICE_PATH, voiceParams(fields));
  const twiml = await voice.text();
  if (!voice.ok) throw new Error(`The voice webhook answered ${voice.status}: ${twiml}`);

  let transcript: { stop(): Promise<void> } | undefined;
  const call = await runPhoneCall({
    twiml,
    callSid,
    accountSid: credentials.twilioAccountSid,
    callerAudio: audio,
    listenMs: Number(args.listen) * 1000,
    onEvent: (event) => {
      if (event.type === 'connected') {
        print(`TwiML: <Connect><Stream url="${event.streamUrl}"> for ${event.callId}`);
        transcript = followTranscript(credentials, event.callId);
        print('Transcript (as stored):');
      } else {
        print(`  (caller speaks: ${source}, ${event.ms} ms)`);
      }
    },
  });
  if (!call.callId) {
    print(`The platform did not connect the call. TwiML:\n${twiml}`);
    process.exitCode = 1;
    return;
  }
  await transcript?.stop();
  const by =
    call.hungUpBy === 'platform'
      ? `the platform closed the stream (${call.closeReason})`
      : 'the caller hung up';
  print(`Call over after ${call.durationSeconds} s: ${by}; the agent sent ${call.agentAudioMs} ms of audio.`);

  const status = await sendTwilioWebhook(target, STATUS_PATH, {
    ...voiceParams({ ...fields, callStatus: 'completed' }),
    CallDuration: String(call.durationSeconds),
    CallbackSource: 'call-progress-events',
    SequenceNumber: '0',
    Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
  });
  await status.body?.cancel();
  print(`Status callback (completed): HTTP ${status.status}`);
  print(`\nGET /v1/calls/${call.callId}`);
  print(JSON.stringify(await api(credentials, `/v1/calls/${call.callId}`), null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
