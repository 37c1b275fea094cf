import { describe, expect, it } from 'vitest';
import { type consoleContentSecurityPolicy, consoleSecurityHeaders } from './console-security.ts';

const directive = (policy: string, name: string) =>
  policy
    .split('; ')
    .find((d) => d.startsWith(`${name} `))
    ?.slice(name.length + 1);

describe('console security headers', () => {
  const cases: [string, Parameters<typeof consoleContentSecurityPolicy>[0], string, string, string][] = [
    [
      'deployed, no media service',
      {},
      "'self'",
      "'self' https: blob:",
      'camera=(), geolocation=(), microphone=(self)',
    ],
    [
      'deployed with a media service',
      { mediaOrigin: 'https://media.example.com' },
      "'self' https://media.example.com",
      "'self' https: blob:",
      'camera=(), geolocation=(), microphone=(self "https://media.example.com")',
    ],
    [
      'local: plain-HTTP object storage for recordings and exports',
      { mediaOrigin: 'http://127.0.0.1:8080', storageOrigin: 'http://127.0.0.1:4566' },
      "'self' http://127.0.0.1:8080",
      "'self' https: blob: http://127.0.0.1:4566",
      'camera=(), geolocation=(), microphone=(self "http://127.0.0.1:8080")',
    ],
  ];
  it.each(cases)('%s', (_name, options, frameSrc, mediaSrc, permissions) => {
    const headers = consoleSecurityHeaders(options);
    const policy = headers['content-security-policy'] as string;
    expect(directive(policy, 'frame-src')).toBe(frameSrc);
    expect(directive(policy, 'media-src')).toBe(mediaSrc);
    expect(headers['permissions-policy']).toBe(permissions);
    // Never relaxed by any option: no inline or foreign scripts, nobody frames the console.
    expect(directive(policy, 'script-src')).toBe("'self'");
    expect(directive(policy, 'frame-ancestors')).toBe("'none'");
  });

  it('lets the console PUT imports only to the upload origin (or the local storage), nothing else', () => {
    const policy = (options: Parameters<typeof consoleContentSecurityPolicy>[0]) =>
      consoleSecurityHeaders(options)['content-security-policy'] as string;
    expect(directive(policy({}), 'connect-src')).toBe("'self'");
    expect(directive(policy({ uploadOrigin: 'https://*.s3.eu-west-1.amazonaws.com' }), 'connect-src')).toBe(
      "'self' https://*.s3.eu-west-1.amazonaws.com",
    );
    expect(directive(policy({ storageOrigin: 'http://127.0.0.1:4566' }), 'connect-src')).toBe(
      "'self' http://127.0.0.1:4566",
    );
  });
});
