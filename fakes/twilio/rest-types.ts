import type { AnswerOptions } from './answering-phone.ts';
import type { createFakeConferences } from './conferences.ts';

/** The fake Twilio REST API's public shapes (see rest-server.ts). */

/** One request as the fake received it. `params` keeps repeated keys (`StatusCallbackEvent`). */
export interface RecordedTwilioRequest {
  method: string;
  path: string;
  /**
   * `create` = POST Calls.json, `update` = POST Calls/{sid}.json, `fetch` = GET Calls/{sid}.json,
   * `conference` = a Conferences or Participants resource (`conferences.ts`), `other` = anything else.
   */
  kind: 'create' | 'update' | 'fetch' | 'conference' | 'other';
  callSid?: string;
  contentType: string;
  /** Basic-auth credentials matched the account. */
  authorized: boolean;
  params: URLSearchParams;
  /** The query string (GET list filters). */
  query: URLSearchParams;
  /** The HTTP status the fake answered. */
  status: number;
}

/** Twilio's call resource (the subset of fields clients read). */
export interface FakeTwilioCall {
  sid: string;
  account_sid: string;
  to: string;
  from: string;
  status: 'queued' | 'ringing' | 'in-progress' | 'completed' | 'canceled' | 'busy' | 'failed' | 'no-answer';
  direction: 'outbound-api' | 'inbound';
  api_version: '2010-04-01';
  date_created: string;
  date_updated: string;
  uri: string;
  /** Not part of Twilio's resource: where the fake was told to send the call, for tests. */
  url?: string;
  twiml?: string;
  statusCallback?: string;
  statusCallbackEvents: string[];
  /** `MachineDetection` as asked for (`Enable` or `DetectMessageEnd`). */
  machineDetection?: string;
  /** Where the asynchronous AMD verdict goes (`AsyncAmd=true`). */
  asyncAmdStatusCallback?: string;
}

/** Options of a simulated AMD verdict. */
export interface AmdResultOptions {
  /** `MachineDetectionDuration` in milliseconds. */
  durationMs?: number;
  /** Post here instead of the callback's own origin (the local gateway behind a public URL). */
  deliverTo?: string;
  /** Overrides the signature (a forged callback); `null` sends none. */
  signature?: string | null;
}

/** A failure to inject: the next `count` matching requests get this error body. */
export interface InjectedFailure {
  status: number;
  code?: number;
  message?: string;
  count?: number;
  /** Which requests fail; all by default. */
  kind?: 'create' | 'update';
}

export interface FakeTwilioRest {
  /** Base URL to put in TWILIO_API_BASE_URL (no trailing slash). */
  url: string;
  accountSid: string;
  authToken: string;
  /** Every request in arrival order. */
  readonly requests: RecordedTwilioRequest[];
  /** Calls created so far, by sid. */
  readonly calls: ReadonlyMap<string, FakeTwilioCall>;
  /** Conferences calls joined with `<Dial><Conference>` TwiML, and their participants. */
  readonly conferences: ReturnType<typeof createFakeConferences>;
  /** Makes the next matching request(s) fail with Twilio's error body. */
  failNext(failure: InjectedFailure): void;
  /** Resolves with the first recorded request (past or future) that matches. */
  waitForRequest(match?: (request: RecordedTwilioRequest) => boolean): Promise<RecordedTwilioRequest>;
  /** A call that reached one of our numbers (inbound): Twilio knows it, the fake did not place it. */
  addInboundCall(sid: string, status: FakeTwilioCall['status']): void;
  /** Sets a call's status, as Twilio would when the callee answers or hangs up. */
  setCallStatus(sid: string, status: FakeTwilioCall['status']): void;
  /**
   * Sends the asynchronous AMD verdict of a call created with `AsyncAmd=true`, signed like every
   * Twilio webhook, to its `AsyncAmdStatusCallback`.
   */
  sendAmdResult(sid: string, answeredBy: string, options?: AmdResultOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface FakeTwilioRestOptions {
  accountSid?: string;
  authToken?: string;
  /** Answer every created call with a simulated phone (the local demo); calls just sit queued otherwise. */
  answer?: Omit<AnswerOptions, 'authToken'>;
  /** Listen on this port (0 = any free one). */
  port?: number;
}
