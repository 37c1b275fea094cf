import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

/** A refusal or failure said plainly, with the request id support will ask for. */
export function ErrorState({
  error,
  onRetry,
  title,
}: {
  error: Error;
  onRetry?: () => void;
  title?: string;
}) {
  const apiError = error instanceof ApiError ? error : null;
  const heading =
    title ??
    (apiError?.status === 404
      ? 'Not found'
      : apiError?.status === 403
        ? 'You do not have access to this'
        : 'Something went wrong');
  return (
    <div className="state state-error" role="alert">
      <h2>{heading}</h2>
      <p>{error.message}</p>
      {apiError?.requestId && (
        <p className="muted small">
          Request id <code>{apiError.requestId}</code>
        </p>
      )}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state state-empty">
      <div className="empty-mark" aria-hidden="true" />
      <h2>{title}</h2>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

/** An inline form error (role=alert so screen readers announce it). */
export function FormError({ error }: { error: Error | null }) {
  if (!error) return null;
  const details = error instanceof ApiError ? fieldMessages(error.details) : [];
  return (
    <div className="form-error" role="alert">
      <p>{error.message}</p>
      {details.length > 0 && (
        <ul>
          {details.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** `details` of a validation_error: `[{path, message}]` or `{field: message}`; anything else is ignored. */
export function fieldMessages(details: unknown): string[] {
  if (Array.isArray(details)) {
    return details
      .map((d) => {
        if (!d || typeof d !== 'object') return null;
        const { path, message } = d as { path?: unknown; message?: unknown };
        const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
        return typeof message === 'string' ? (where ? `${where}: ${message}` : message) : null;
      })
      .filter((line): line is string => Boolean(line));
  }
  if (details && typeof details === 'object') {
    return Object.entries(details as Record<string, unknown>)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k}: ${v as string}`);
  }
  return [];
}
