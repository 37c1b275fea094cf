import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { maskPhone, redact } from './redact.ts';

describe('redaction', () => {
  it.each([
    ['+14155550123', '***23'],
    ['415-555-0199', '***99'],
    ['12', '[redacted]'],
  ])('masks %s as %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it('removes secrets, masks numbers and reduces transcripts to their length, recursively', () => {
    expect(
      redact({
        apiKey: 'sk_live',
        from: '+14155550123',
        nested: { transcript: 'hello there', authToken: 'x' },
        callId: 'call_1',
      }),
    ).toEqual({
      apiKey: '[redacted]',
      from: '***23',
      nested: { transcript: '[11 chars]', authToken: '[redacted]' },
      callId: 'call_1',
    });
  });

  it('writes JSON lines with correlation fields and never the secret values', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), context: { service: 'test' } }).child({
      callId: 'call_9',
    });
    logger.info('call admitted', { to: '+14155550100', token: 'secret-token', err: new Error('boom') });
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'call admitted',
      service: 'test',
      callId: 'call_9',
      to: '***00',
      token: '[redacted]',
    });
    expect(line.error.message).toBe('boom');
    expect(lines[0]).not.toContain('secret-token');
    expect(lines[0]).not.toContain('4155550100');
  });
});
