import { describe, expect, it } from 'vitest';
import { namedTransaction } from './named-transaction.ts';

const put = (pk: string) => ({ Put: { TableName: 't', Item: { pk } } });
/** A TransactionCanceledException as the SDK raises it: one reason per item sent, in order. */
const cancelled = (...codes: string[]) => ({
  name: 'TransactionCanceledException',
  CancellationReasons: codes.map((Code) => ({ Code })),
});

describe('namedTransaction', () => {
  it('leaves out undefined items and reads cancellation reasons by name', () => {
    const tx = namedTransaction({ call: put('c'), providerCall: undefined, slot: put('s') });
    expect(tx.items).toEqual([put('c'), put('s')]);
    const error = cancelled('None', 'ConditionalCheckFailed');
    expect(tx.conditionFailed(error, 'slot')).toBe(true);
    expect(tx.conditionFailed(error, 'call')).toBe(false);
    expect(tx.conditionFailed(error, 'providerCall')).toBe(false);
  });

  it.each([
    ['an error that is not a cancellation', new Error('throttled')],
    ['a cancellation for other reasons', cancelled('None', 'TransactionConflict')],
  ])('%s fails no condition', (_name, error) => {
    const tx = namedTransaction({ call: put('c'), slot: put('s') });
    expect(tx.conditionFailed(error, 'slot')).toBe(false);
  });
});
