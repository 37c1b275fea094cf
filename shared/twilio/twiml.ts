/**
 * TwiML documents the voice webhooks answer with. Pure string builders: every attribute value and
 * text node is XML-escaped, so caller-controlled text (numbers, names) cannot inject verbs.
 */

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Twilio documents a limit on the total size of a stream's `<Parameter>`s (about 500 characters);
 * exceeding it fails the call at Twilio, so it is checked here where the cause is visible.
 */
export const MAX_STREAM_PARAMETER_CHARS = 500;

/** Escapes text for XML 1.0 text and attribute values; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: string): string {
  return (
    value
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const response = (verbs: string) => `${XML_DECLARATION}<Response>${verbs}</Response>`;

/**
 * The Media Streams WebSocket URL for a public media base URL: `https` becomes `wss` (Twilio
 * requires `wss`), `http` becomes `ws` (only useful against local simulators).
 */
export function mediaStreamUrl(publicMediaUrl: string, path = '/twilio/stream'): string {
  const base = publicMediaUrl
    .replace(/\/+$/, '')
    .replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s.toLowerCase()}://`);
  return `${base}${path}`;
}

export interface ConnectStreamOptions {
  /** `wss://…` URL of the media service. Query strings are not supported by Twilio. */
  url: string;
  /** Arrive in the `start` message as `customParameters`. */
  parameters: Readonly<Record<string, string>>;
  /** Optional stream name, shown in Twilio's logs and status callbacks. */
  name?: string;
  /**
   * Said, then the call hung up, when the media service closes the stream while the call is still
   * up: it was full or draining, or the session broke off. A call the agent ends is hung up over
   * REST first, so callers never hear this after a normal goodbye.
   */
  fallbackMessage?: string;
  /**
   * `<Connect action>`: requested by Twilio whenever the stream ends while the call is still up;
   * its answer decides what follows (resume on another media task, or hang up). With an action,
   * verbs after `<Connect>` never run, so `fallbackMessage` is left out: the action says it.
   */
  action?: string;
}

/**
 * `<Connect><Stream>`: a bidirectional media stream that holds the call until the media service
 * closes the socket. Twilio streams only the inbound track with `<Connect>`.
 */
export function connectStreamTwiml(options: ConnectStreamOptions): string {
  const entries = Object.entries(options.parameters);
  const size = entries.reduce((total, [name, value]) => total + name.length + value.length, 0);
  if (size > MAX_STREAM_PARAMETER_CHARS) {
    throw new Error(
      `Stream parameters take ${size} characters; Twilio allows about ${MAX_STREAM_PARAMETER_CHARS}.`,
    );
  }
  const parameters = entries
    .map(([name, value]) => `<Parameter name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join('');
  const name = options.name ? ` name="${escapeXml(options.name)}"` : '';
  // `<Connect><Stream>` blocks; the verbs after it run only once the media service closes the socket.
  const fallback =
    options.fallbackMessage && !options.action
      ? `<Say>${escapeXml(options.fallbackMessage)}</Say><Hangup/>`
      : '';
  const action = options.action ? ` action="${escapeXml(options.action)}" method="POST"` : '';
  return response(
    `<Connect${action}><Stream url="${escapeXml(options.url)}"${name}>${parameters}</Stream></Connect>${fallback}`,
  );
}

export interface SayOptions {
  /** Twilio `<Say>` voice, e.g. `Polly.Joanna`; Twilio's default when absent. */
  voice?: string;
  /** BCP-47 language, e.g. `en-US`. */
  language?: string;
}

/** Speaks `message` and ends the call. */
export function sayAndHangupTwiml(message: string, options: SayOptions = {}): string {
  const voice = options.voice ? ` voice="${escapeXml(options.voice)}"` : '';
  const language = options.language ? ` language="${escapeXml(options.language)}"` : '';
  return response(`<Say${voice}${language}>${escapeXml(message)}</Say><Hangup/>`);
}

/** Ends the call without a word (e.g. a call that was already ended elsewhere). */
export function hangupTwiml(): string {
  return response('<Hangup/>');
}

/**
 * `<Dial><Conference>` joining a call into the named conference: no beep, the conference starts
 * as the call enters and ends when it leaves (`endConferenceOnExit`), so when either party of a
 * handed-over call hangs up the other is hung up too. `waitUrl=""` plays nothing while alone.
 */
export function conferenceTwiml(name: string): string {
  return response(
    `<Dial><Conference beep="false" startConferenceOnEnter="true" endConferenceOnExit="true" waitUrl="">${escapeXml(name)}</Conference></Dial>`,
  );
}
