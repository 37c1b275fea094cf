import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { startMediaHarness, type MediaHarness } from '../media-service/twilio-test-harness.ts';
import { createTestTenant, rootDir, type TestTenant } from '../platform.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { pcm16Rms, tone, writeSpeechLikeWav } from './speech-wav.ts';

/**
 * A whole browser call in headless Chromium: the tenant's backend asks the API for a call link,
 * the real page (AudioWorklets, the Chromium fake microphone playing a WAV) talks over `/web` to
 * the media service's real CallSession, which talks to a fake realtime server we script.
 */
const ARTIFACTS = join(rootDir, 'test-artifacts');
const GREETING = 'Thanks for calling Acme Dental, how can I help you today?';
const CALLER_TEXT = 'Hi, I would like to book a cleaning.';
const REPLY = 'Sure, which day suits you?';

let harness: MediaHarness;
let tenant: TestTenant;
let mediaBaseUrl: string;
let chrome: LaunchedChromium;

/** The agent's voice: louder than the console tests' tone. */
const agentSpeech = (ms: number, hz: number) => tone(ms, hz, 6000);

interface SentMessage {
  type: string;
  itemId?: string;
  playedMs?: number;
}

/** JSON messages the page sent on its call socket, as Chromium saw them leave. */
function recordSentMessages(page: Page) {
  const messages: SentMessage[] = [];
  const waiters: { match: (m: SentMessage) => boolean; resolve: (m: SentMessage) => void }[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      const message = JSON.parse(payload) as SentMessage;
      messages.push(message);
      for (const waiter of [...waiters]) {
        if (!waiter.match(message)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    });
  });
  return {
    messages,
    /** The first message (already sent or still to come) that matches. */
    next(match: (m: SentMessage) => boolean): Promise<SentMessage> {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

beforeAll(async () => {
  harness = await startMediaHarness();
  tenant = await createTestTenant();
  ({ baseUrl: mediaBaseUrl } = await harness.startService());
  mkdirSync(ARTIFACTS, { recursive: true });
  const wavPath = join(ARTIFACTS, 'caller-speech.wav');
  writeSpeechLikeWav(wavPath);
  chrome = await launchChromium({ wavPath });
}, 90_000);
afterAll(async () => {
  await chrome?.close();
  await harness?.stop();
});

describe('a browser call end to end', () => {
  it('talks, shows captions, truncates at what was heard on barge-in and stores the call', async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${harness.platform.apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
      });

    // 1. The tenant's backend asks for a link; the visitor opens the page and presses Start.
    const created = await api('/v1/web-calls', {
      method: 'POST',
      body: JSON.stringify({ agentId: tenant.agentId, metadata: { visitor: 'e2e' } }),
    });
    expect(created.status).toBe(201);
    const { callId, token } = await created.json();
    const page = await chrome.browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const sent = recordSentMessages(page);
    await page.goto(`${mediaBaseUrl}/call?token=${encodeURIComponent(token)}`);
    await page.click('#start');

    // 2. The model is configured for 24 kHz PCM both ways and asked for the greeting.
    const model = await harness.realtime.nextConfigured();
    const update = (await model.waitFor('session.update')) as unknown as {
      session: { audio: { input: { format: unknown }; output: { format: unknown } } };
    };
    expect(update.session.audio.input.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(update.session.audio.output.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    await page.waitForSelector('body[data-state="live"]');

    // 3. The WAV from Chromium's fake microphone reaches the model as non-silent PCM16.
    const loud = await model.waitFor(
      'input_audio_buffer.append',
      (event) => pcm16Rms(Buffer.from(String(event.audio), 'base64')) > 0.02,
    );
    expect(Buffer.from(String(loud.audio), 'base64').length % 2).toBe(0);

    // 4. The agent greets (4 s of audio, still generating); the page plays it and reports what
    // was heard.
    await model.waitFor('response.create');
    model.responseCreated('resp_greeting');
    for (const chunk of agentSpeech(4000, 440)) model.audioDelta('resp_greeting', 'item_greeting', chunk);
    for (const word of GREETING.split(/(?<= )/)) {
      model.send({
        type: 'response.output_audio_transcript.delta',
        response_id: 'resp_greeting',
        item_id: 'item_greeting',
        output_index: 0,
        content_index: 0,
        delta: word,
      });
    }
    await page.waitForSelector('body[data-speaking="true"]');
    // Live captions: the greeting's words show while it plays, long before its turn is stored.
    await page
      .locator('li.caption.agent.partial[data-item="item_greeting"]', { hasText: GREETING.trim() })
      .waitFor();
    await page.waitForFunction(() => Number(document.body.dataset.heardMs) >= 1200);

    // 5. Barge-in: the caller talks over the greeting. Playback stops and the model's item is
    // truncated at the position the page had reported, not at what was sent (4 s).
    model.speechStarted('item_caller_1', 1500);
    const truncate = (await model.waitFor('conversation.item.truncate')) as unknown as {
      item_id: string;
      content_index: number;
      audio_end_ms: number;
    };
    await page.waitForSelector('body[data-speaking="false"]');
    const cleared = await sent.next((m) => m.type === 'cleared');
    const reports = sent.messages
      .filter((m) => m.type === 'playback' && m.itemId === 'item_greeting')
      .map((m) => m.playedMs);
    expect(truncate).toMatchObject({ item_id: 'item_greeting', content_index: 0 });
    expect(reports).toContain(truncate.audio_end_ms);
    expect(truncate.audio_end_ms).toBeGreaterThanOrEqual(1200);
    expect(truncate.audio_end_ms).toBeLessThan(4000);
    expect(cleared).toMatchObject({ itemId: 'item_greeting' });
    expect((cleared.playedMs ?? 0) - truncate.audio_end_ms).toBeGreaterThanOrEqual(0);
    // The page kept playing only while the barge-in travelled to it (a report period plus
    // loopback hops; generous for a loaded CI machine).
    expect((cleared.playedMs ?? 0) - truncate.audio_end_ms).toBeLessThan(400);

    // The model cancels the interrupted response (server VAD does so itself).
    model.responseDone('resp_greeting', 'cancelled');

    // 6. The caller's words and the agent's answer appear as captions.
    model.speechStopped('item_caller_1', 3200);
    model.callerTranscript('item_caller_1', CALLER_TEXT);
    model.speak('resp_reply', 'item_reply', agentSpeech(600, 520), REPLY);
    // Stored turns (not live words): the reply's caption is final once it has played out.
    await page.locator('li.caption.caller:not(.partial)', { hasText: CALLER_TEXT }).waitFor();
    await page.locator('li.caption.agent:not(.partial)', { hasText: REPLY }).waitFor();
    const greetingCaption = page.locator('li.caption.agent[data-item="item_greeting"]');
    await greetingCaption.waitFor();
    expect(await greetingCaption.getAttribute('class')).toContain('interrupted');
    expect(await greetingCaption.getAttribute('class')).not.toContain('partial');
    expect(await page.textContent('#timer')).toMatch(/^00:(0[1-9]|[1-5]\d)$/);
    expect(await page.textContent('#title')).toBe('Test agent');
    // The kept artifact: the page mid-call, with captions of both sides.
    await page.screenshot({ path: join(ARTIFACTS, 'browser-call.png') });

    // 7. Hanging up completes the call like any other: events, status, transcript.
    await page.click('#stop');
    await page.waitForSelector('body[data-state="ended"]');
    const events = await harness.eventsFor(callId, 2);
    expect(events.map((e) => e.type).sort()).toEqual(['call.ended', 'call.started']);
    expect(events.find((e) => e.type === 'call.started')).toMatchObject({ provider: 'web' });
    expect(events.find((e) => e.type === 'call.ended')).toMatchObject({ status: 'completed' });

    const { call } = await (await api(`/v1/calls/${callId}`)).json();
    expect(call).toMatchObject({
      id: callId,
      provider: 'web',
      direction: 'inbound',
      status: 'completed',
      endReason: 'caller_hangup',
      metadata: { visitor: 'e2e' },
      usage: { responses: 2, transcriptionInputTokens: 7 },
    });
    expect(call.durationSeconds).toBeGreaterThanOrEqual(1);
    // Latency telemetry is stored on the record as for phone calls.
    const stored = await getCall(dbFromEnv(), tenant.tenant.id, callId);
    expect(stored?.telemetry?.firstAgentAudioMs).toBeGreaterThanOrEqual(0);
    expect(stored?.telemetry?.bargeInStopMs).toHaveLength(1);
    const turns = (await (await api(`/v1/calls/${callId}/transcript`)).json()).items as {
      role: string;
      text: string;
      interrupted?: boolean;
    }[];
    const agentGreeting = turns.find((t) => t.role === 'agent' && t.interrupted);
    expect(agentGreeting?.text.length).toBeGreaterThan(0);
    expect(GREETING.startsWith(agentGreeting?.text.replace(/[…\s]+$/, '') ?? '#')).toBe(true);
    expect(turns.some((t) => t.role === 'caller' && t.text === CALLER_TEXT)).toBe(true);
    expect(turns.some((t) => t.role === 'agent' && t.text === REPLY)).toBe(true);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 90_000);
});
