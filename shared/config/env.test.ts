import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE } from '../webhooks/retry-schedule.ts';
import { ConfigError, loadEnv } from './env.ts';

describe('loadEnv', () => {
  it('applies defaults for an empty environment', () => {
    const env = loadEnv({});
    expect(env.API_PORT).toBe(3000);
    expect(env.MEDIA_PORT).toBe(8080);
    expect(env.OPENAI_REALTIME_URL).toBe('wss://api.openai.com/v1/realtime');
  });

  it('accepts ws:// realtime URLs for local fakes and coerces numbers', () => {
    const env = loadEnv({
      OPENAI_REALTIME_URL: 'ws://127.0.0.1:9999/v1/realtime',
      API_PORT: '3100',
      CORS_ORIGINS: 'https://a.test, https://b.test',
    });
    expect(env.OPENAI_REALTIME_URL).toBe('ws://127.0.0.1:9999/v1/realtime');
    expect(env.API_PORT).toBe(3100);
    expect(env.CORS_ORIGINS).toEqual(['https://a.test', 'https://b.test']);
  });

  it('names every bad key at once', () => {
    let caught: unknown;
    try {
      loadEnv({
        API_PORT: 'eighty',
        PUBLIC_API_URL: 'not a url',
        TWILIO_ACCOUNT_SID: 'XY',
        LOG_LEVEL: 'loud',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).badKeys.sort()).toEqual([
      'API_PORT',
      'LOG_LEVEL',
      'PUBLIC_API_URL',
      'TWILIO_ACCOUNT_SID',
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(loadEnv({ MEDIA_PORT: '' }).MEDIA_PORT).toBe(8080);
  });

  it.each([
    ['ARI_URL without ARI_USERNAME', { ARI_URL: 'http://pbx.internal:8088' }, ['ARI_USERNAME']],
    ['an RTP port range upside down', { RTP_PORT_MIN: '41000', RTP_PORT_MAX: '40000' }, ['RTP_PORT_MAX']],
    ['an unknown ASTERISK_MODE', { ASTERISK_MODE: 'cluster' }, ['ASTERISK_MODE']],
    ['an unknown ASTERISK_MEDIA', { ASTERISK_MEDIA: 'udp' }, ['ASTERISK_MEDIA']],
    [
      'per_call without ARI_URL and the per-call user',
      { ASTERISK_MODE: 'per_call' },
      ['ARI_URL', 'ASTERISK_PERCALL_USERNAME'],
    ],
    [
      'per_call without the per-call user',
      { ASTERISK_MODE: 'per_call', ARI_URL: 'http://pbx.internal:8088', ARI_USERNAME: 'ai-caller' },
      ['ASTERISK_PERCALL_USERNAME'],
    ],
    [
      'per_call with RTP media',
      {
        ASTERISK_MODE: 'per_call',
        ASTERISK_MEDIA: 'rtp',
        ARI_URL: 'http://pbx.internal:8088',
        ARI_USERNAME: 'ai-caller',
        ASTERISK_PERCALL_USERNAME: 'asterisk',
      },
      ['ASTERISK_MEDIA'],
    ],
  ])('refuses %s, naming the key to fix', (_name, source, badKeys) => {
    expect(() => loadEnv(source)).toThrow(ConfigError);
    try {
      loadEnv(source);
    } catch (error) {
      expect((error as ConfigError).badKeys).toEqual(badKeys);
    }
  });

  it('accepts ARI_URL with ARI_USERNAME and a sound port range', () => {
    const env = loadEnv({
      ARI_URL: 'http://pbx.internal:8088',
      ARI_USERNAME: 'ai-caller',
      RTP_PORT_MIN: '40000',
      RTP_PORT_MAX: '40000',
    });
    expect(env).toMatchObject({ ARI_USERNAME: 'ai-caller', RTP_PORT_MIN: 40000, RTP_PORT_MAX: 40000 });
  });

  it.each([
    ['nothing set: classic', {}, { ASTERISK_MODE: 'classic' }],
    [
      'classic with WebSocket media',
      { ARI_URL: 'http://pbx.internal:8088', ARI_USERNAME: 'ai-caller', ASTERISK_MEDIA: 'websocket' },
      { ASTERISK_MODE: 'classic', ASTERISK_MEDIA: 'websocket' },
    ],
    [
      'per_call with everything it needs',
      {
        ASTERISK_MODE: 'per_call',
        ARI_URL: 'http://pbx.internal:8088',
        ARI_USERNAME: 'ai-caller',
        ASTERISK_PERCALL_USERNAME: 'asterisk',
      },
      { ASTERISK_MODE: 'per_call', ASTERISK_PERCALL_USERNAME: 'asterisk' },
    ],
  ])('accepts %s', (_name, source, expected) => {
    expect(loadEnv(source)).toMatchObject(expected);
  });
});

describe('derived configuration', () => {
  it.each([
    [{}, DEFAULT_WEBHOOK_RETRY_SCHEDULE],
    [{ WEBHOOK_RETRY_SCHEDULE_SECONDS: '1' }, [1]],
    [{ WEBHOOK_RETRY_SCHEDULE_SECONDS: '5, 30 ,x,-1,0' }, [5, 30, 0]],
    [{ WEBHOOK_RETRY_SCHEDULE_SECONDS: 'never' }, DEFAULT_WEBHOOK_RETRY_SCHEDULE],
  ])('webhook retry schedule of %j is %j seconds', (source, expected) => {
    expect(loadEnv(source).WEBHOOK_RETRY_SCHEDULE_SECONDS).toEqual(expected);
  });

  it.each([
    [{}, true],
    [{ OUTBOUND_ALLOW_PRIVATE_TARGETS: 'false' }, false],
    [{ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' }, false],
    [{ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', OUTBOUND_ALLOW_PRIVATE_TARGETS: 'true' }, true],
    [{ STAGE: 'prod' }, false],
    [{ STAGE: 'prod', OUTBOUND_ALLOW_PRIVATE_TARGETS: 'true' }, false],
  ])('private outbound targets under %j: %s', (source, allowPrivate) => {
    expect(loadEnv(source).outboundPolicy).toEqual({ allowPrivate });
  });

  it('gives the secrets cache lifetime in milliseconds', () => {
    expect(loadEnv({}).secretsCacheTtlMs).toBe(300_000);
    expect(loadEnv({ SECRETS_CACHE_TTL_SECONDS: '0' }).secretsCacheTtlMs).toBe(0);
  });
});
