import { describe, expect, it } from 'vitest';
import { buildUpdate, type UpdateExpressionParts, type UpdateSpec } from './update-expression.ts';

const cases: [string, UpdateSpec, UpdateExpressionParts][] = [
  [
    'set skips undefined fields and names every attribute',
    { set: { status: 'completed', endReason: undefined, updatedAt: 'now' } },
    {
      UpdateExpression: 'SET #status = :status, #updatedAt = :updatedAt',
      ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
      ExpressionAttributeValues: { ':status': 'completed', ':updatedAt': 'now' },
    },
  ],
  [
    'increment adds to numbers inside a map',
    { increment: { in: 'usage', by: { responses: 1, inputTextTokens: 40 } } },
    {
      UpdateExpression:
        'SET #usage.#responses = #usage.#responses + :usage_responses, #usage.#inputTextTokens = #usage.#inputTextTokens + :usage_inputTextTokens',
      ExpressionAttributeNames: {
        '#usage': 'usage',
        '#responses': 'responses',
        '#inputTextTokens': 'inputTextTokens',
      },
      ExpressionAttributeValues: { ':usage_responses': 1, ':usage_inputTextTokens': 40 },
    },
  ],
  [
    'setIn sets fields of a map, skipping undefined ones',
    {
      set: { name: 'Acme' },
      setIn: { in: 'limits', values: { maxConcurrentCalls: 5, requestsPerSecond: undefined } },
    },
    {
      UpdateExpression: 'SET #name = :name, #limits.#maxConcurrentCalls = :limits_maxConcurrentCalls',
      ExpressionAttributeNames: {
        '#name': 'name',
        '#limits': 'limits',
        '#maxConcurrentCalls': 'maxConcurrentCalls',
      },
      ExpressionAttributeValues: { ':name': 'Acme', ':limits_maxConcurrentCalls': 5 },
    },
  ],
  [
    'setIn with nothing to set names no map (DynamoDB refuses unused placeholders)',
    { set: { name: 'Acme' }, setIn: { in: 'limits', values: { maxConcurrentCalls: undefined } } },
    {
      UpdateExpression: 'SET #name = :name',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':name': 'Acme' },
    },
  ],
  [
    'add, remove and a condition, in SET ADD REMOVE order',
    {
      remove: ['suspendedAt'],
      add: { active: -1 },
      set: { plan: 'pro' },
      condition: { expression: 'attribute_exists(pk) AND #plan <> :free', values: { ':free': 'free' } },
    },
    {
      UpdateExpression: 'SET #plan = :plan ADD #active :add_active REMOVE #suspendedAt',
      ConditionExpression: 'attribute_exists(pk) AND #plan <> :free',
      ExpressionAttributeNames: { '#plan': 'plan', '#active': 'active', '#suspendedAt': 'suspendedAt' },
      ExpressionAttributeValues: { ':plan': 'pro', ':add_active': -1, ':free': 'free' },
    },
  ],
  [
    'names that differ only in characters a placeholder cannot hold get placeholders of their own',
    { add: { 'status#a-b': 1, 'status#a_b': 2, 'status#a.b': 3 } },
    {
      UpdateExpression:
        'ADD #status_a_b :add_status_a_b, #status_a_b_2 :add_status_a_b_2, #status_a_b_3 :add_status_a_b_3',
      ExpressionAttributeNames: {
        '#status_a_b': 'status#a-b',
        '#status_a_b_2': 'status#a_b',
        '#status_a_b_3': 'status#a.b',
      },
      ExpressionAttributeValues: { ':add_status_a_b': 1, ':add_status_a_b_2': 2, ':add_status_a_b_3': 3 },
    },
  ],
  [
    'a field never takes a placeholder the condition uses for something else',
    {
      set: { status: 'running', from: 'x' },
      condition: {
        expression: '#status = :from AND #from <> :status',
        names: { '#status': 'status', '#from': 'origin' },
        values: { ':from': 'queued', ':status': 'failed' },
      },
    },
    {
      UpdateExpression: 'SET #status = :status_2, #from_2 = :from_2',
      ConditionExpression: '#status = :from AND #from <> :status',
      ExpressionAttributeNames: { '#status': 'status', '#from': 'origin', '#from_2': 'from' },
      ExpressionAttributeValues: {
        ':from': 'queued',
        ':status': 'failed',
        ':status_2': 'running',
        ':from_2': 'x',
      },
    },
  ],
  [
    'no values at all: the values map is left out',
    { remove: ['a-b'] },
    { UpdateExpression: 'REMOVE #a_b', ExpressionAttributeNames: { '#a_b': 'a-b' } },
  ],
];

describe('buildUpdate', () => {
  it.each(cases)('%s', (_name, spec, expected) => {
    expect(buildUpdate(spec)).toEqual(expected);
  });

  it('refuses an update that changes nothing', () => {
    expect(() => buildUpdate({ set: { a: undefined } })).toThrow(RangeError);
  });
});
