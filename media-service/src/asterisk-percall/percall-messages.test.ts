import { describe, expect, it } from 'vitest';
import { parsePerCallMessage, restRequestMessage, splitApplication } from './percall-messages.ts';

describe('per-call ARI WebSocket messages (as recorded on Asterisk 22.10.1)', () => {
  it.each([
    [
      'ApplicationRegistered of a caller channel',
      '{"type":"ApplicationRegistered","timestamp":"2026-12-04T03:22:29.642+0000","application":"percall-app:Local/15550001111@ari-percall-00000004;2","asterisk_id":"02:fc:00:00:00:01"}',
      {
        kind: 'registered',
        application: 'percall-app:Local/15550001111@ari-percall-00000004;2',
        app: 'percall-app',
        channelName: 'Local/15550001111@ari-percall-00000004;2',
      },
    ],
    [
      'a RESTResponse with a JSON body as text',
      '{"type":"RESTResponse","transaction_id":"t5","request_id":"5","status_code":422,"reason_phrase":"Unprocessable Entity","uri":"bridges/b/addChannel","content_type":"application/json","message_body":"{\\"message\\":\\"Channel not in Stasis application\\"}"}',
      {
        kind: 'response',
        transactionId: 't5',
        statusCode: 422,
        reasonPhrase: 'Unprocessable Entity',
        body: '{"message":"Channel not in Stasis application"}',
      },
    ],
    [
      'a RESTResponse without a body',
      '{"type":"RESTResponse","transaction_id":"t1","request_id":"1","status_code":204,"reason_phrase":"No Content","uri":"channels/1/answer"}',
      { kind: 'response', transactionId: 't1', statusCode: 204, reasonPhrase: 'No Content' },
    ],
    [
      'an event it does not act on',
      '{"type":"ChannelVarset","variable":"BRIDGEPEER","value":""}',
      { kind: 'event', event: { type: 'other', name: 'ChannelVarset' } },
    ],
  ])('parses %s', (_name, text, expected) => {
    expect(parsePerCallMessage(text)).toEqual(expected);
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1]'],
    ['ApplicationRegistered without application', '{"type":"ApplicationRegistered"}'],
    ['RESTResponse without a status', '{"type":"RESTResponse","transaction_id":"t1"}'],
    ['no type', '{"application":"x"}'],
  ])('returns undefined for %s', (_name, text) => {
    expect(parsePerCallMessage(text)).toBeUndefined();
  });

  it('splits application names at the first colon only', () => {
    expect(splitApplication('ai-caller:WebSocket/INCOMING/0x7f6a380145a0')).toEqual({
      app: 'ai-caller',
      channelName: 'WebSocket/INCOMING/0x7f6a380145a0',
    });
    expect(splitApplication('ai-caller')).toEqual({ app: 'ai-caller', channelName: '' });
  });

  it('builds RESTRequests with uris relative to /ari/ and bodies as JSON text', () => {
    expect(restRequestMessage('t1', 'POST', '/ari/channels/1796354549.12/answer')).toEqual({
      type: 'RESTRequest',
      transaction_id: 't1',
      request_id: 't1',
      method: 'POST',
      uri: 'channels/1796354549.12/answer',
    });
    expect(restRequestMessage('t2', 'POST', 'channels', { variables: { A: '1' } })).toMatchObject({
      content_type: 'application/json',
      message_body: '{"variables":{"A":"1"}}',
    });
  });
});
