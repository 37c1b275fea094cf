import { syllableClip } from '../../fakes/audio/caller-audio.ts';
import { startFakeOpenAiRest } from '../../fakes/openai/rest-server.ts';
import { standInResponse } from '../../fakes/openai/schema-answer.ts';
import { startFakeRealtimeAgent } from '../../fakes/realtime/agent.ts';
import { startFakeTwilioRest } from '../../fakes/twilio/rest-server.ts';
import type { Logger } from '#shared/logging/logger.ts';

/**
 * The local stand-ins `npm start` runs for the outside services that need an account: without
 * OPENAI_API_KEY, a fake realtime agent and a stand-in summary/embeddings model; without Twilio
 * credentials, a Twilio REST stand-in whose simulated phone answers outbound calls and streams
 * them into the media service. Each is switched off by the real setting.
 */
export interface StandIns {
  /** Environment for the handlers and the media service pointing at the stand-ins. */
  env: Record<string, string>;
  /** One line per stand-in for the banner. */
  describe(): string[];
  stop(): Promise<void>;
}

export interface StandInOptions {
  /** The user's environment: a real key or URL switches the matching stand-in off. */
  env: NodeJS.ProcessEnv;
  twilio: { accountSid: string; authToken: string };
  logger: Logger;
}

export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const env: Record<string, string> = {};
  const lines: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch(() => undefined);
  };
  try {
    if (!options.env.OPENAI_API_KEY) {
      if (!options.env.OPENAI_REALTIME_URL) {
        const agent = await startFakeRealtimeAgent();
        stops.push(agent.close);
        env.OPENAI_REALTIME_URL = agent.url;
        lines.push(`Calls talk to a local stand-in agent (${agent.url}), not to OpenAI.`);
      } else {
        lines.push(`Calls talk to the realtime server at ${options.env.OPENAI_REALTIME_URL}.`);
      }
      const model = await startFakeOpenAiRest({ apiKey: 'sk-local-stand-in' });
      model.respondWith(standInResponse);
      stops.push(model.close);
      env.OPENAI_API_KEY = model.apiKey;
      env.OPENAI_BASE_URL = model.baseUrl;
      lines.push('Summaries and embeddings come from a local stand-in model.');
      lines.push('Set OPENAI_API_KEY to talk to OpenAI instead.');
    }
    if (!options.env.TWILIO_ACCOUNT_SID && !options.env.TWILIO_API_BASE_URL) {
      const twilio = await startFakeTwilioRest({
        accountSid: options.twilio.accountSid,
        authToken: options.twilio.authToken,
        answer: {
          callerAudio: () => syllableClip({ ms: 1500, silenceMs: 0 }),
          listenMs: 8_000,
          onError: (error) =>
            options.logger.warn('the simulated phone could not finish a call', {
              error: error instanceof Error ? error.message : String(error),
            }),
        },
      });
      stops.push(twilio.close);
      env.TWILIO_API_BASE_URL = twilio.url;
      lines.push('Outbound calls (POST /v1/calls) ring a simulated phone on a local Twilio stand-in.');
    }
    return { env, describe: () => lines, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
