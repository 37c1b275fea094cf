import { describe, expect, it } from 'vitest';
import type { TranscriptTurn } from '../calls/call-types.ts';
import {
  dataValidator,
  isStrictCompatible,
  parseModelSummary,
  responseJsonSchema,
  SummaryOutputError,
} from './summary-schema.ts';
import { summarizeCall } from './summarize-call.ts';
import { summaryWithoutModel, transcriptText } from './transcript-text.ts';

const turn = (seq: number, role: TranscriptTurn['role'], text: string): TranscriptTurn => ({
  callId: 'call_1',
  seq,
  role,
  text,
  startedAt: '2026-11-01T10:00:00.000Z',
});

const valid = {
  summary: 'The caller booked a table.',
  sentiment: 'positive',
  actionItems: [],
  qaScore: 90,
  qaReasons: ['Clear confirmation.'],
};

describe('isStrictCompatible', () => {
  it.each([
    [
      'closed object with all required',
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
      true,
    ],
    [
      'optional property',
      { type: 'object', properties: { a: { type: 'string' } }, required: [], additionalProperties: false },
      false,
    ],
    ['open object', { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, false],
    [
      'nested open object',
      {
        type: 'object',
        properties: {
          a: {
            type: 'array',
            items: { type: 'object', properties: { b: { type: 'number' } }, required: ['b'] },
          },
        },
        required: ['a'],
        additionalProperties: false,
      },
      false,
    ],
  ])('%s → %s', (_name, schema, expected) => expect(isStrictCompatible(schema)).toBe(expected));

  it('puts the agent schema under data and requires every field', () => {
    const data = {
      type: 'object',
      properties: { reason: { type: 'string' } },
      required: ['reason'],
      additionalProperties: false,
    };
    const { schema, strict } = responseJsonSchema(data);
    expect(strict).toBe(true);
    expect(schema.required).toEqual(['summary', 'sentiment', 'actionItems', 'qaScore', 'qaReasons', 'data']);
    expect((schema.properties as Record<string, unknown>).data).toBe(data);
  });
});

describe('parseModelSummary', () => {
  const validator = dataValidator({
    type: 'object',
    properties: {
      appointmentDay: { type: 'string', enum: ['monday', 'friday'] },
      rebooked: { type: 'boolean' },
    },
    required: ['appointmentDay', 'rebooked'],
    additionalProperties: false,
  });
  if (!validator.ok) throw new Error(validator.reason);

  it('accepts a conforming answer and keeps the extracted data', () => {
    const data = { appointmentDay: 'friday', rebooked: true };
    expect(parseModelSummary(JSON.stringify({ ...valid, data }), validator.validate)).toEqual({
      ...valid,
      data,
    });
  });

  it.each([
    ['not JSON', 'Sure! Here is the summary'],
    ['a missing field', JSON.stringify({ ...valid, qaReasons: undefined })],
    ['a score out of range', JSON.stringify({ ...valid, qaScore: 140 })],
    ['an unknown sentiment', JSON.stringify({ ...valid, sentiment: 'ecstatic' })],
    [
      'data off the agent schema',
      JSON.stringify({ ...valid, data: { appointmentDay: 'sunday', rebooked: true } }),
    ],
  ])('rejects %s', (_name, text) => {
    expect(() => parseModelSummary(text, validator.validate)).toThrow(SummaryOutputError);
  });

  it('reports an unusable agent schema instead of throwing later', () => {
    expect(dataValidator({ type: 'object', properties: { a: { $ref: '#/nowhere' } } }).ok).toBe(false);
  });
});

describe('summaries without the model', () => {
  it('says so for an empty transcript', () => {
    expect(summaryWithoutModel([])?.summary).toMatch(/no transcript/);
  });

  it('needs no model key for them (a platform without OPENAI_API_KEY still summarizes failed calls)', async () => {
    let keyAsked = 0;
    const config = {
      apiKey: async () => {
        keyAsked++;
        throw new Error('OPENAI_API_KEY is not set');
      },
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'gpt-5-mini',
    };
    const result = await summarizeCall(config, { turns: [] });
    expect(result).toMatchObject({ byModel: false, inputTokens: 0, outputTokens: 0 });
    expect(result.summary.summary).toMatch(/no transcript/);
    expect(keyAsked).toBe(0);
    const conversation = [
      turn(1, 'agent', 'Hello, this is the dental clinic, how can I help you today?'),
      turn(2, 'caller', 'I would like to move my cleaning appointment from Tuesday to Thursday afternoon.'),
      turn(3, 'agent', 'Of course, Thursday at three is free; shall I book it for you?'),
      turn(4, 'caller', 'Yes please, and send me a reminder the day before.'),
    ];
    await expect(summarizeCall(config, { turns: conversation })).rejects.toThrow(/OPENAI_API_KEY/);
    expect(keyAsked).toBe(1);
  });

  it('says so for a greeting only', () => {
    const short = summaryWithoutModel([turn(1, 'agent', 'Hello, how can I help?'), turn(2, 'caller', 'Hi')]);
    expect(short?.summary).toBe('The call was too short to summarize (2 turns, 6 words).');
    expect(short?.actionItems).toEqual([]);
  });

  it('says so when only the agent spoke', () => {
    expect(
      summaryWithoutModel([
        turn(1, 'agent', 'Hello, this is the clinic calling about your appointment tomorrow.'),
      ])?.summary,
    ).toMatch(/the caller did not speak/);
  });

  it('leaves a real conversation to the model', () => {
    const turns = [
      turn(1, 'agent', 'Hello, this is the clinic.'),
      turn(2, 'caller', 'I need to move my appointment to Friday morning please.'),
    ];
    expect(summaryWithoutModel(turns)).toBeUndefined();
    expect(transcriptText(turns)).toBe(
      'Agent: Hello, this is the clinic.\nCaller: I need to move my appointment to Friday morning please.',
    );
  });
});
