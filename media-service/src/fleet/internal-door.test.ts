import { describe, expect, it } from 'vitest';
import { internalDoor } from './internal-door.ts';

describe('internalDoor', () => {
  const refused = {
    refused: { status: 403, code: 'forbidden', message: 'Not reachable through the load balancer.' },
  };
  it.each([
    {
      name: 'a direct request with a token',
      headers: { authorization: 'Bearer abc.def' },
      out: { token: 'abc.def' },
    },
    { name: 'a direct request without a token', headers: {}, out: { token: undefined } },
    { name: 'another scheme', headers: { authorization: 'Basic abc' }, out: { token: undefined } },
    {
      name: 'a bearer with spaces in the token',
      headers: { authorization: 'Bearer a b' },
      out: { token: undefined },
    },
    {
      name: 'through the load balancer, even with a token',
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer abc.def' },
      out: refused,
    },
    {
      name: 'an empty X-Forwarded-For still came through it',
      headers: { 'x-forwarded-for': '' },
      out: refused,
    },
  ])('$name', ({ headers, out }) => {
    expect(internalDoor(headers)).toEqual(out);
  });
});
