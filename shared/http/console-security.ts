/**
 * Security headers of the web console, one definition for CloudFront (response headers policy)
 * and the local gateway, so what is tested locally is what is deployed. Scripts only from the
 * console's own origin (no inline scripts); the only frame is the media service's call page
 * ("talk to this agent"); nobody may frame the console itself.
 */
export interface ConsoleSecurityOptions {
  /** Origin of the media service's call page (`https://media.example.com`), framed by the agent page. */
  mediaOrigin?: string;
  /**
   * Origin of the object storage behind presigned recording and export links when it is not
   * HTTPS (the local S3 emulator); in AWS the links are HTTPS and `https:` already covers them.
   */
  storageOrigin?: string;
  /**
   * Where the console may PUT files with presigned URLs (CSV imports): the exports bucket's S3
   * endpoints in AWS (`https://*.amazonaws.com`); `storageOrigin` locally.
   */
  uploadOrigin?: string;
}

export function consoleContentSecurityPolicy(options: ConsoleSecurityOptions = {}): string {
  const frameSrc = options.mediaOrigin ? `'self' ${options.mediaOrigin}` : "'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    // CSV imports are PUT straight to presigned S3 URLs.
    `connect-src 'self'${[options.uploadOrigin, options.storageOrigin]
      .filter(Boolean)
      .map((o) => ` ${o}`)
      .join('')}`,
    // Call recordings and export downloads are presigned S3 URLs.
    `media-src 'self' https: blob:${options.storageOrigin ? ` ${options.storageOrigin}` : ''}`,
    `frame-src ${frameSrc}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** HSTS for two years with subdomains (CloudFront always serves the console over HTTPS). */
export const CONSOLE_HSTS_SECONDS = 63_072_000;

/** Hashed build assets never change under their name; index.html must be fetched every time. */
export const CONSOLE_ASSET_CACHE = 'public, max-age=31536000, immutable';
export const CONSOLE_INDEX_CACHE = 'no-cache';

export function consoleSecurityHeaders(options: ConsoleSecurityOptions = {}): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    // The call page is framed from the media origin and needs the microphone there.
    'permissions-policy': `camera=(), geolocation=(), microphone=(self${options.mediaOrigin ? ` "${options.mediaOrigin}"` : ''})`,
  };
}
