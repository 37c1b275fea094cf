// The call page: one browser call over `/web?token=…` (protocol in the README, section "browser").
// States: idle → starting → live → ended | failed. A failure before the socket opens (microphone
// refused) returns to idle, because the single-use link has not been spent yet.

import { AudioSetupError, assertAudioSupport, openMicrophone, startAudio } from './call-audio.js';
import { CLOSE_CODES, messageFor } from './call-messages.js';

const PING_TIMEOUT_MS = 15000; // the server pings every 5 s; three missed pings mean the link is gone
/** After a dropped connection the call is resumed with the latest resume token, this many times at most. */
const RESUME_DELAYS_MS = [100, 300, 700, 1500, 3000];
/** End reasons (`ended` message) that mean the call broke rather than finished. */
const ENDED_BY_FAILURE = new Set(['model_error', 'media_error', 'shutdown']);
const ENDED_TEXT = {
  agent_hangup: 'The agent ended the call.',
  max_duration: 'The call reached its time limit and ended.',
  idle_timeout: 'The call ended after a long silence.',
  transferred: 'The call was transferred.',
};

const $ = (id) => document.getElementById(id);
const ui = {
  body: document.body,
  status: $('status'),
  error: $('error'),
  start: $('start'),
  stop: $('stop'),
  timer: $('timer'),
  level: $('level'),
  captions: $('captions'),
};

const mode = ui.body.dataset.mode === 'demo' ? 'demo' : 'token';
let state = 'idle';
let call = null; // {socket, audio, timerHandle, watchdog, readyAt, currentItem, resumeToken, resumeAttempts}
let agentAudioMs = 0;

function setState(next, statusText) {
  state = next;
  ui.body.dataset.state = next;
  if (statusText) ui.status.textContent = statusText;
  // A link is good for one call; the demo page mints a new one for every start.
  const canStart = next === 'idle' || (mode === 'demo' && (next === 'ended' || next === 'failed'));
  ui.start.disabled = !canStart;
  ui.stop.disabled = !(next === 'starting' || next === 'live');
  ui.start.textContent = canStart && next !== 'idle' ? 'New call' : 'Start call';
}

function showError(code) {
  ui.error.textContent = messageFor(code);
  ui.error.dataset.code = code;
  ui.error.hidden = false;
}

function hideError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
  delete ui.error.dataset.code;
}

function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = String(Math.floor(total / 60)).padStart(2, '0');
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

function showLevel(rms) {
  // -60 dBFS → empty, 0 dBFS → full.
  const db = rms > 0 ? 20 * Math.log10(rms) : -100;
  ui.level.style.width = `${Math.round(Math.min(1, Math.max(0, (db + 60) / 60)) * 100)}%`;
}

function captionFor(role, itemId) {
  const selector = `li[data-item="${CSS.escape(itemId)}"]`;
  let li = ui.captions.querySelector(selector);
  if (!li) {
    li = document.createElement('li');
    li.className = `caption ${role}`;
    li.dataset.item = itemId;
    li.dataset.role = role;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = role === 'agent' ? 'Agent' : 'You';
    const text = document.createElement('span');
    text.className = 'text';
    li.append(who, text);
    ui.captions.append(li);
  }
  return li;
}

function updateCaption(role, itemId, update) {
  const li = captionFor(role, itemId);
  const text = li.querySelector('.text');
  update(li, text);
  li.parentElement.parentElement.scrollTop = li.parentElement.parentElement.scrollHeight;
}

function send(message) {
  if (call?.socket.readyState === WebSocket.OPEN) call.socket.send(JSON.stringify(message));
}

function resetWatchdog() {
  if (!call) return;
  clearTimeout(call.watchdog);
  call.watchdog = setTimeout(() => {
    // No ping for too long: the network is gone even if the socket has not noticed yet.
    connectionLost('connection_lost');
  }, PING_TIMEOUT_MS);
}

function onServerMessage(message) {
  switch (message.type) {
    case 'ready':
      call.resumeAttempts = 0;
      if (call.readyAt) {
        // A resumed call: same call, same timer; the agent picks up where it was.
        hideError();
        setState('live', 'Connected again.');
        break;
      }
      call.readyAt = Date.now();
      if (message.agentName) {
        $('title').textContent = message.agentName;
        document.title = `Call with ${message.agentName}`;
      }
      call.audio.startSending();
      call.timerHandle = setInterval(() => {
        ui.timer.textContent = formatDuration(Date.now() - call.readyAt);
      }, 250);
      setState('live', 'Connected. Start talking.');
      break;
    case 'agent.audio':
      call.currentItem = message.itemId;
      break;
    case 'clear':
      call.audio.clear(message.itemId);
      break;
    case 'transcript.delta':
      // Live words while the turn is spoken; `transcript.done` replaces them with what was kept.
      updateCaption(message.role, message.itemId, (li, text) => {
        li.classList.add('partial');
        text.textContent += message.delta;
      });
      break;
    case 'transcript.done':
      updateCaption(message.role, message.itemId, (li, text) => {
        li.classList.remove('partial');
        text.textContent = message.text;
        li.classList.toggle('interrupted', Boolean(message.interrupted));
      });
      break;
    case 'error':
      showError(message.code);
      break;
    case 'resume':
      call.resumeToken = message.token;
      break;
    case 'ended':
      // A call the platform could not carry on ends with an explanation; a normal end just ends.
      if (ENDED_BY_FAILURE.has(message.reason)) finish('failed', message.reason);
      else finish('ended', null, ENDED_TEXT[message.reason]);
      break;
    default:
      break; // ping, and message types added later
  }
}

/**
 * The connection broke without the call ending: reconnect with the latest resume token (the call
 * continues on whichever media task takes it), a few times with growing pauses, else give up.
 */
function connectionLost(code) {
  if (!call) return;
  const attempt = call.resumeAttempts ?? 0;
  if (!call.resumeToken || state !== 'live' || attempt >= RESUME_DELAYS_MS.length) {
    finish('failed', code === 'reconnect' ? 'connection_lost' : code);
    return;
  }
  call.resumeAttempts = attempt + 1;
  const token = call.resumeToken;
  call.resumeToken = null; // single use: the resumed task sends a new one
  clearTimeout(call.watchdog);
  const stale = call.socket;
  call.socket = null;
  if (stale && stale.readyState <= WebSocket.OPEN) stale.close(4000, 'resuming');
  setState('live', 'Reconnecting…');
  setTimeout(() => {
    if (call && state === 'live') connect('resume', token);
  }, RESUME_DELAYS_MS[attempt]);
}

function connect(kind, token) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/web?${kind}=${encodeURIComponent(token)}`);
  socket.binaryType = 'arraybuffer';
  call.socket = socket;
  socket.onmessage = (event) => {
    resetWatchdog();
    if (typeof event.data !== 'string') {
      if (call.currentItem) {
        agentAudioMs += event.data.byteLength / 48;
        ui.body.dataset.agentAudioMs = String(Math.floor(agentAudioMs));
        call.audio.play(call.currentItem, event.data);
      }
      return;
    }
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    onServerMessage(message);
  };
  socket.onclose = (event) => {
    if (!call || call.socket !== socket) return;
    const code = CLOSE_CODES[event.code] ?? 'connection_lost';
    if (code === 'call_ended') finish('ended', null);
    else if (code === 'connection_lost' || code === 'reconnect' || code === 'unavailable')
      connectionLost(code);
    else finish('failed', code);
  };
  resetWatchdog();
}

async function fetchDemoToken() {
  const res = await fetch('/call/demo/token', { method: 'POST' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok)
    throw new AudioSetupError(body?.error?.code === 'rate_limited' ? 'rate_limited' : 'demo_failed');
  return body.token;
}

async function start() {
  if (state === 'starting' || state === 'live') return;
  hideError();
  ui.captions.replaceChildren();
  ui.timer.textContent = '00:00';
  setState('starting', 'Waiting for the microphone…');
  let stream = null;
  try {
    assertAudioSupport();
    stream = await openMicrophone();
    call = {
      socket: null,
      audio: null,
      timerHandle: 0,
      watchdog: 0,
      readyAt: 0,
      currentItem: null,
      resumeToken: null,
      resumeAttempts: 0,
    };
    call.audio = await startAudio(stream, {
      onFrame: (pcm) => {
        if (call?.socket?.readyState === WebSocket.OPEN) call.socket.send(pcm);
      },
      onLevel: showLevel,
      onProgress: (itemId, playedMs) => {
        ui.body.dataset.heardMs = String(playedMs);
        send({ type: 'playback', itemId, playedMs });
      },
      onCleared: (itemId, playedMs) => send({ type: 'cleared', itemId, playedMs }),
      onSpeaking: (value) => {
        ui.body.dataset.speaking = String(value);
      },
    });
    setState('starting', 'Connecting…');
    const token =
      mode === 'demo' ? await fetchDemoToken() : new URLSearchParams(location.search).get('token');
    if (!token) throw new AudioSetupError('token_invalid');
    connect('token', token);
  } catch (error) {
    const code = error instanceof AudioSetupError ? error.code : 'internal_error';
    if (!call) for (const track of stream?.getTracks() ?? []) track.stop();
    await teardown();
    showError(code);
    // Nothing was spent yet, so the caller may try again (e.g. after allowing the microphone).
    setState(
      code === 'token_invalid' ? 'failed' : 'idle',
      code === 'token_invalid' ? 'Call failed.' : undefined,
    );
  }
}

async function teardown() {
  const current = call;
  call = null;
  if (!current) return;
  clearInterval(current.timerHandle);
  clearTimeout(current.watchdog);
  if (current.socket && current.socket.readyState <= WebSocket.OPEN)
    current.socket.close(1000, 'caller_hangup');
  await current.audio?.close();
  showLevel(0);
  ui.body.dataset.speaking = 'false';
}

function finish(next, errorCode, statusText) {
  if (state === 'ended' || state === 'failed') return;
  if (errorCode) showError(errorCode);
  setState(next, statusText ?? (next === 'ended' ? 'Call ended.' : 'Call failed.'));
  void teardown();
}

function hangUp() {
  if (state === 'live') send({ type: 'end' });
  finish('ended', null);
}

ui.start.addEventListener('click', () => void start());
ui.stop.addEventListener('click', hangUp);
window.addEventListener('offline', () => {
  if (state === 'live') showError('offline');
});
window.addEventListener('online', () => {
  if (state === 'live' && ui.error.dataset.code === 'offline') hideError();
});
window.addEventListener('pagehide', () => {
  if (state === 'live') send({ type: 'end' });
});

setState('idle');
const initialError = ui.body.dataset.initialError;
if (initialError) {
  showError(initialError);
  setState('failed', 'This link cannot start a call.');
}
