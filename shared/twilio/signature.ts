import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';

/**
 * `X-Twilio-Signature` (Twilio request validation).
 *
 * Form bodies: HMAC-SHA1, keyed with the account's Auth Token, over the full URL Twilio requested
 * followed by every POST parameter as `name + value`, names sorted by code unit; a repeated name
 * contributes each distinct value, sorted. Base64 of the digest is the header.
 * JSON bodies: Twilio adds `bodySHA256=<hex sha256 of the body>` to the query string and signs the
 * URL alone; the body is checked against that hash separately.
 *
 * The URL must be the public one Twilio called (configured base + path + query), never one rebuilt
 * from the Host header, which a proxy or API Gateway custom domain changes.
 */

export type TwilioParams = URLSearchParams | Readonly<Record<string, string | readonly string[]>>;

function sortedPairs(params: TwilioParams): string {
  const byName = new Map<string, string[]>();
  const add = (name: string, value: string) => {
    const values = byName.get(name);
    if (values) values.push(value);
    else byName.set(name, [value]);
  };
  if (params instanceof URLSearchParams) {
    for (const [name, value] of params) add(name, value);
  } else {
    for (const [name, value] of Object.entries(params)) {
      for (const one of typeof value === 'string' ? [value] : value) add(name, one);
    }
  }
  // Default sort compares UTF-16 code units, which is the order Twilio uses.
  let data = '';
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...new Set(byName.get(name))].sort()) data += name + value;
  }
  return data;
}

/** The signature Twilio would send for a request to `url` with `params` (form POST) or none. */
export function twilioSignature(authToken: string, url: string, params?: TwilioParams): string {
  const data = url + (params ? sortedPairs(params) : '');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function withDefaultPort(url: URL): string {
  if (url.port) return url.toString();
  const port = url.protocol === 'https:' ? '443' : '80';
  const credentials = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${url.protocol}//${credentials}${url.host}:${port}${url.pathname}${url.search}${url.hash}`;
}

function withoutPort(url: URL): string {
  const copy = new URL(url);
  copy.port = '';
  return copy.toString();
}

/** The query re-encoded the way Node's legacy `querystring` module writes it (`'` stays raw, space is %20). */
function withLegacyQuery(url: string): string {
  const parsed = new URL(url);
  if (!parsed.search) return url;
  const query = stringifyQuery(parseQuery(parsed.search.slice(1)));
  parsed.search = '';
  return `${parsed.toString()}?${query}`;
}

/**
 * Every URL a valid signature may have been computed over, as Twilio's official validator
 * (twilio-node `validateRequest`) accepts them: which form Twilio signs depends on how the URL was
 * configured, and gateways re-encode query strings. The URL as given; then, with the port removed
 * and with the scheme's default port added, the WHATWG-normalised form (`'` becomes `%27`) and
 * the legacy `querystring` form of the query (`%27` becomes `'`, `+` becomes `%20`).
 */
export function signatureUrlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return [url];
  const normalised = [withoutPort(parsed), withDefaultPort(parsed)];
  return [...new Set([url, ...normalised, ...normalised.map(withLegacyQuery)])];
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare equal-length buffers only; the length of a base64 SHA-1 digest is public anyway.
  return left.length === right.length && timingSafeEqual(left, right);
}

export type TwilioSignatureResult =
  | { valid: true; params: URLSearchParams }
  | { valid: false; reason: 'missing_signature' | 'bad_signature' | 'body_hash_mismatch' };

export interface TwilioRequestToVerify {
  authToken: string;
  /** The public URL Twilio requested, including the query string. */
  url: string;
  signature: string | undefined;
  /** The body exactly as sent (already base64-decoded if API Gateway encoded it). */
  rawBody: string;
}

/**
 * Verifies a Twilio webhook request. Returns the form parameters on success (empty for a JSON
 * body) so callers read exactly what was signed. Never throws.
 */
export function verifyTwilioRequest(request: TwilioRequestToVerify): TwilioSignatureResult {
  const { authToken, url, signature, rawBody } = request;
  if (!signature || !authToken) return { valid: false, reason: 'missing_signature' };
  const bodyHash = bodySha256Of(url);
  const params = bodyHash === undefined ? new URLSearchParams(rawBody) : new URLSearchParams();
  const signed = signatureUrlVariants(url).some((candidate) =>
    sameText(twilioSignature(authToken, candidate, bodyHash === undefined ? params : undefined), signature),
  );
  if (!signed) return { valid: false, reason: 'bad_signature' };
  if (bodyHash !== undefined) {
    const actual = createHash('sha256').update(rawBody, 'utf8').digest('hex');
    if (!sameText(actual, bodyHash.toLowerCase())) return { valid: false, reason: 'body_hash_mismatch' };
  }
  return { valid: true, params };
}

function bodySha256Of(url: string): string | undefined {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return undefined;
  const value = new URLSearchParams(url.slice(queryStart + 1).split('#')[0]).get('bodySHA256');
  return value ?? undefined;
}

/** Joins the configured public base URL, the route path and the raw query string. */
export function publicRequestUrl(publicBaseUrl: string, path: string, rawQueryString?: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return `${base}${path}${rawQueryString ? `?${rawQueryString}` : ''}`;
}
