import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons } from './dynamo-errors.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A write transaction whose items have names, so a cancellation is read by name rather than by
 * position in a list that is built conditionally. Items left `undefined` are not sent.
 */
export interface NamedTransaction<Name extends string> {
  readonly items: TransactItem[];
  /** Whether DynamoDB cancelled the transaction because the condition of item `name` failed. */
  conditionFailed(error: unknown, name: Name): boolean;
}

export function namedTransaction<Name extends string>(
  named: Readonly<Record<Name, TransactItem | undefined>>,
): NamedTransaction<Name> {
  const entries = (Object.entries(named) as [Name, TransactItem | undefined][]).filter(
    (entry): entry is [Name, TransactItem] => entry[1] !== undefined,
  );
  const position = new Map(entries.map(([name], index) => [name, index]));
  return {
    items: entries.map(([, item]) => item),
    conditionFailed(error, name) {
      const index = position.get(name);
      return index !== undefined && cancellationReasons(error)[index] === 'ConditionalCheckFailed';
    },
  };
}
