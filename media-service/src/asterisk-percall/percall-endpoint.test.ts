import { describe, expect, it } from 'vitest';
import { basicAuthMatches, checkUpgrade } from './percall-endpoint.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
const creds = { username: 'asterisk', password: 's3cret' };

describe('per-call endpoint admission', () => {
  it.each([
    ['the right credentials', basic('asterisk:s3cret'), true],
    ['a wrong password', basic('asterisk:s3cret!'), false],
    ['a wrong user', basic('root:s3cret'), false],
    ['no password', basic('asterisk'), false],
    ['another scheme', 'Bearer abc', false],
    ['no header', undefined, false],
  ])('%s', (_name, header, expected) => {
    expect(basicAuthMatches(header, creds.username, creds.password)).toBe(expected);
  });

  it.each([
    [
      'accepted',
      { authorization: basic('asterisk:s3cret'), 'sec-websocket-protocol': 'ari' },
      false,
      undefined,
    ],
    [
      'draining, whatever the credentials',
      { authorization: basic('asterisk:s3cret'), 'sec-websocket-protocol': 'ari' },
      true,
      'draining',
    ],
    [
      'bad credentials',
      { authorization: basic('asterisk:nope'), 'sec-websocket-protocol': 'ari' },
      false,
      'unauthorized',
    ],
    ['without the ari sub-protocol', { authorization: basic('asterisk:s3cret') }, false, 'protocol'],
  ])('%s', (_name, headers, draining, expected) => {
    expect(checkUpgrade({ headers }, { ...creds, draining })).toBe(expected);
  });
});
