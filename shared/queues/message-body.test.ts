import { describe, expect, it } from 'vitest';
import { decodeMessageBody, encodeMessageBody } from './message-body.ts';

describe('queue message bodies', () => {
  it.each([
    ['plain ASCII', { reason: 'Wants a human' }],
    ['emoji and astral characters', { reason: 'Caller is 😡 — 𝄞' }],
    ['noncharacters SQS refuses', { reason: '\ufffe\uffff' }],
    ['accents and CJK (sent as is)', { reason: 'Ünïcödé 日本語' }],
    ['control characters', { reason: 'a\u0000b\u001f\u007f' }],
  ])('%s round-trip and only use characters every SQS accepts', (_name, value) => {
    const body = encodeMessageBody(value);
    expect(body).toMatch(/^[\t\n\r\u0020-\ud7ff\ue000-\ufffd]*$/);
    expect(decodeMessageBody(body)).toEqual(value);
  });

  it('keeps characters SQS accepts unescaped, so bodies stay small', () => {
    expect(encodeMessageBody({ t: 'Ünï 日本' })).toBe('{"t":"Ünï 日本"}');
    expect(encodeMessageBody({ t: '😡' })).toBe('{"t":"\\ud83d\\ude21"}');
  });

  it('decodes bodies written before the encoding (raw UTF-8 JSON) the same way', () => {
    expect(decodeMessageBody('{"reason":"Caller is 😡"}')).toEqual({ reason: 'Caller is 😡' });
  });
});
