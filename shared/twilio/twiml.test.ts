import { describe, expect, it } from 'vitest';
import { connectStreamTwiml, escapeXml, hangupTwiml, mediaStreamUrl, sayAndHangupTwiml } from './twiml.ts';

describe('escapeXml', () => {
  it.each([
    ['plain', 'plain'],
    ['a & b', 'a &amp; b'],
    ['<Hangup/>', '&lt;Hangup/&gt;'],
    [`"quoted" 'single'`, '&quot;quoted&quot; &apos;single&apos;'],
    ['bell\u0007 tab\t nl\n', 'bell tab\t nl\n'],
    ['Zoë ✓', 'Zoë ✓'],
  ])('%j', (input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });
});

describe('mediaStreamUrl', () => {
  it.each([
    ['https://media.example.com', 'wss://media.example.com/twilio/stream'],
    ['https://media.example.com/', 'wss://media.example.com/twilio/stream'],
    ['HTTPS://media.example.com/base', 'wss://media.example.com/base/twilio/stream'],
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:8080/twilio/stream'],
    ['wss://media.example.com', 'wss://media.example.com/twilio/stream'],
  ])('%s', (base, expected) => {
    expect(mediaStreamUrl(base)).toBe(expected);
  });
});

describe('TwiML documents', () => {
  it('connects a bidirectional stream with escaped parameters (same shape as the Twilio SDK)', () => {
    expect(
      connectStreamTwiml({
        url: 'wss://media.example.com/twilio/stream',
        parameters: { callId: 'call_1', token: 'a&b<c>' },
      }),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://media.example.com/twilio/stream">' +
        '<Parameter name="callId" value="call_1"/><Parameter name="token" value="a&amp;b&lt;c&gt;"/>' +
        '</Stream></Connect></Response>',
    );
  });

  it('follows the stream with a fallback line and a hang-up when asked', () => {
    expect(
      connectStreamTwiml({ url: 'wss://m/x', parameters: {}, fallbackMessage: 'Sorry & goodbye.' }),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://m/x"></Stream></Connect>' +
        '<Say>Sorry &amp; goodbye.</Say><Hangup/></Response>',
    );
  });

  it('names the stream when asked', () => {
    expect(connectStreamTwiml({ url: 'wss://m/x', parameters: {}, name: 'call_1' })).toContain(
      '<Stream url="wss://m/x" name="call_1">',
    );
  });

  it('refuses parameters beyond Twilio’s size budget', () => {
    expect(() => connectStreamTwiml({ url: 'wss://m/x', parameters: { token: 'x'.repeat(600) } })).toThrow(
      /about 500/,
    );
  });

  it('says a message and hangs up, escaping caller-controlled text', () => {
    expect(
      sayAndHangupTwiml('Sorry </Say><Dial>+1</Dial>', { voice: 'Polly.Joanna', language: 'en-US' }),
    ).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna" language="en-US">' +
        'Sorry &lt;/Say&gt;&lt;Dial&gt;+1&lt;/Dial&gt;</Say><Hangup/></Response>',
    );
  });

  it('hangs up', () => {
    expect(hangupTwiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });
});
