import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicRequestUrl, signatureUrlVariants, twilioSignature, verifyTwilioRequest } from './signature.ts';

/** Independent reference: the concatenation written out by hand for each case. */
const hmacSha1 = (key: string, data: string) => createHmac('sha1', key).update(data, 'utf8').digest('base64');

const TOKEN = '12345';
/** Twilio's published example (security docs / api-snippets), with its published signature. */
const PUBLISHED = {
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};

describe('twilioSignature', () => {
  it('matches the signature Twilio publishes for its documented example', () => {
    expect(twilioSignature(TOKEN, PUBLISHED.url, PUBLISHED.params)).toBe(PUBLISHED.signature);
  });

  it.each([
    ['no parameters', 'https://a.example/x', {}, 'https://a.example/x'],
    [
      'names sorted by code unit (upper before lower)',
      'https://a.example/x',
      { b: '1', B: '2', a: '3' },
      'https://a.example/xB2a3b1',
    ],
    [
      'a repeated name: distinct values, sorted',
      'https://a.example/x',
      { E: ['ringing', 'answered', 'ringing'] },
      'https://a.example/xEansweredEringing',
    ],
    [
      'empty values still count',
      'https://a.example/x',
      { Digits: '', To: '+1' },
      'https://a.example/xDigitsTo+1',
    ],
    [
      'non-ASCII values as UTF-8',
      'https://a.example/x',
      { CallerName: 'Zoë' },
      'https://a.example/xCallerNameZoë',
    ],
  ])('concatenates %s', (_name, url, params, data) => {
    expect(twilioSignature('tok', url, params)).toBe(hmacSha1('tok', data));
  });

  it('reads repeated keys from URLSearchParams like an object of arrays', () => {
    const form = new URLSearchParams('StatusCallbackEvent=ringing&StatusCallbackEvent=answered&To=%2B1');
    expect(twilioSignature('tok', 'https://a.example/x', form)).toBe(
      twilioSignature('tok', 'https://a.example/x', {
        StatusCallbackEvent: ['answered', 'ringing'],
        To: '+1',
      }),
    );
  });
});

describe('signatureUrlVariants', () => {
  it.each([
    ['https://a.example/x?q=1', ['https://a.example/x?q=1', 'https://a.example:443/x?q=1']],
    ['https://a.example:443/x', ['https://a.example:443/x', 'https://a.example/x']],
    ['http://a.example/x', ['http://a.example/x', 'http://a.example:80/x']],
    ['http://127.0.0.1:3000/x', ['http://127.0.0.1:3000/x', 'http://127.0.0.1/x']],
    [
      "https://a.example/x?n=o'brien&s=a%20b",
      [
        "https://a.example/x?n=o'brien&s=a%20b",
        'https://a.example/x?n=o%27brien&s=a%20b',
        'https://a.example:443/x?n=o%27brien&s=a%20b',
      ],
    ],
    [
      'https://a.example/x?n=o%27brien&s=a+b',
      [
        'https://a.example/x?n=o%27brien&s=a+b',
        'https://a.example:443/x?n=o%27brien&s=a+b',
        "https://a.example/x?n=o'brien&s=a%20b",
      ],
    ],
    ['not a url', ['not a url']],
  ])('%s', (url, variants) => {
    expect(signatureUrlVariants(url)).toEqual(variants);
  });
});

describe('verifyTwilioRequest', () => {
  const url = 'https://api.example.com/webhooks/twilio/voice';
  const body = 'CallSid=CA1&From=%2B14155550100&To=%2B14155550199&CallerName=Zo%C3%AB+X';
  const signature = hmacSha1(TOKEN, `${url}CallSidCA1CallerNameZoë XFrom+14155550100To+14155550199`);

  it('accepts a correctly signed form body and returns the decoded parameters', () => {
    const result = verifyTwilioRequest({ authToken: TOKEN, url, signature, rawBody: body });
    expect(result.valid).toBe(true);
    expect(result.valid && result.params.get('From')).toBe('+14155550100');
  });

  it.each([
    ['signed with a raw apostrophe, received re-encoded', "?agent=o'brien", '?agent=o%27brien'],
    ['signed encoded, received with a raw apostrophe', '?agent=o%27brien', "?agent=o'brien"],
    [
      'signed with the default port, received with a raw apostrophe',
      ':443/webhooks/twilio/voice?agent=o%27brien',
      "?agent=o'brien",
    ],
  ])('accepts the URL variants the official validator accepts: %s', (_name, signedPart, receivedQuery) => {
    const signedUrl = signedPart.startsWith(':')
      ? `https://api.example.com${signedPart}`
      : `${url}${signedPart}`;
    const signed = hmacSha1(TOKEN, `${signedUrl}CallSidCA1CallerNameZoë XFrom+14155550100To+14155550199`);
    const received = `${url}${receivedQuery}`;
    expect(
      verifyTwilioRequest({ authToken: TOKEN, url: received, signature: signed, rawBody: body }).valid,
    ).toBe(true);
    const other = `${url}${receivedQuery.replace('brien', 'brian')}`;
    expect(
      verifyTwilioRequest({ authToken: TOKEN, url: other, signature: signed, rawBody: body }).valid,
    ).toBe(false);
  });

  it('accepts a signature computed over the URL with the default port', () => {
    const withPort = hmacSha1(
      TOKEN,
      'https://api.example.com:443/webhooks/twilio/voiceCallSidCA1CallerNameZoë XFrom+14155550100To+14155550199',
    );
    expect(verifyTwilioRequest({ authToken: TOKEN, url, signature: withPort, rawBody: body }).valid).toBe(
      true,
    );
  });

  it.each([
    ['no header', { signature: undefined }, 'missing_signature'],
    ['an empty header', { signature: '' }, 'missing_signature'],
    ['another auth token', { authToken: '54321' }, 'bad_signature'],
    ['a changed parameter', { rawBody: body.replace('CA1', 'CA2') }, 'bad_signature'],
    ['an added parameter', { rawBody: `${body}&Digits=1` }, 'bad_signature'],
    [
      'another host (Host header instead of the public URL)',
      { url: 'https://internal.lambda-url.aws/webhooks/twilio/voice' },
      'bad_signature',
    ],
    ['another path', { url: 'https://api.example.com/webhooks/twilio/status' }, 'bad_signature'],
    ['an extra query string', { url: `${url}?x=1` }, 'bad_signature'],
    ['http instead of https', { url: url.replace('https', 'http') }, 'bad_signature'],
    ['a truncated signature', { signature: signature.slice(0, -1) }, 'bad_signature'],
    ['garbage', { signature: '!!!' }, 'bad_signature'],
  ])('rejects %s', (_name, override, reason) => {
    const result = verifyTwilioRequest({ authToken: TOKEN, url, signature, rawBody: body, ...override });
    expect(result).toEqual({ valid: false, reason });
  });

  describe('JSON bodies (bodySHA256)', () => {
    const json = '{"event":"x","n":1}';
    const hash = createHash('sha256').update(json).digest('hex');
    const jsonUrl = `https://api.example.com/hook?bodySHA256=${hash}`;
    const jsonSignature = hmacSha1(TOKEN, jsonUrl);

    it('signs the URL only and checks the body hash', () => {
      const result = verifyTwilioRequest({
        authToken: TOKEN,
        url: jsonUrl,
        signature: jsonSignature,
        rawBody: json,
      });
      expect(result.valid).toBe(true);
    });

    it('rejects a body that does not match the signed hash', () => {
      const result = verifyTwilioRequest({
        authToken: TOKEN,
        url: jsonUrl,
        signature: jsonSignature,
        rawBody: json.replace('1', '2'),
      });
      expect(result).toEqual({ valid: false, reason: 'body_hash_mismatch' });
    });

    it('rejects a changed hash in the URL (the signature covers it)', () => {
      const forged = `https://api.example.com/hook?bodySHA256=${createHash('sha256').update('{}').digest('hex')}`;
      const result = verifyTwilioRequest({
        authToken: TOKEN,
        url: forged,
        signature: jsonSignature,
        rawBody: '{}',
      });
      expect(result).toEqual({ valid: false, reason: 'bad_signature' });
    });
  });
});

describe('publicRequestUrl', () => {
  it.each([
    [
      'https://api.example.com',
      '/webhooks/twilio/voice',
      '',
      'https://api.example.com/webhooks/twilio/voice',
    ],
    [
      'https://api.example.com/',
      '/webhooks/twilio/voice',
      undefined,
      'https://api.example.com/webhooks/twilio/voice',
    ],
    ['https://api.example.com/prod', '/w', 'a=1&b=2', 'https://api.example.com/prod/w?a=1&b=2'],
  ])('%s + %s + %s', (base, path, query, expected) => {
    expect(publicRequestUrl(base, path, query)).toBe(expected);
  });
});
