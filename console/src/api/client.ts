/**
 * The console's only way to the platform: same-origin `/v1` requests carrying the session
 * cookies. The access token from sign-in is kept in memory only (never in web storage); after a
 * reload the refresh cookie mints a new one. State-changing requests echo the CSRF cookie in a
 * header (double submit), as the sign-in API asks of browser clients.
 */
/** Cookie and header names of the sign-in API (docs/people.md). */
export const CSRF_COOKIE = 'aic_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | undefined;

  constructor(status: number, code: string, message: string, details?: unknown, requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

let accessToken: string | null = null;
let csrfToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const signedOutListeners = new Set<() => void>();

/** Tokens from a sign-in answer, kept in memory only (a reload gets new ones from the refresh cookie). */
export function setTokens(tokens: { accessToken?: string; csrfToken?: string } | null): void {
  accessToken = tokens?.accessToken ?? null;
  csrfToken = tokens?.csrfToken ?? null;
}

/** Called when the session is gone for good (refresh refused): the app shows the sign-in page. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; details?: unknown; requestId?: string } } = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page): the status alone says what happened.
  }
  const error = body.error ?? {};
  return new ApiError(
    response.status,
    error.code ?? `http_${response.status}`,
    error.message ?? (response.statusText || 'The request failed.'),
    error.details,
    error.requestId ?? response.headers.get('x-request-id') ?? undefined,
  );
}

async function send(method: string, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  if (method !== 'GET') {
    const csrf = readCookie(document.cookie, CSRF_COOKIE) ?? csrfToken;
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  return fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** One refresh at a time, however many requests hit a 401 together. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await send('POST', '/v1/auth/refresh', {});
      if (!response.ok) return false;
      const body = (await response.json()) as { accessToken?: string; csrfToken?: string };
      if (body.accessToken) accessToken = body.accessToken;
      if (body.csrfToken) csrfToken = body.csrfToken;
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body);
  if (response.status === 401 && !path.startsWith('/v1/auth/')) {
    if (await refreshSession()) response = await send(method, path, body);
    if (response.status === 401) {
      accessToken = null;
      for (const listener of signedOutListeners) listener();
    }
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: <T = void>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/**
 * A 404 for the route itself (the platform has no such API yet), as opposed to a missing record:
 * the local gateway says "No such route.", API Gateway answers `{"message":"Not Found"}`.
 */
export function isMissingRoute(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 404 &&
    (error.code === 'http_404' || error.message === 'No such route.')
  );
}
