import { AppError, ConflictError, InternalError, UnavailableError } from '../errors/app-error.ts';

const THROTTLES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Names of the cancellation reasons of a failed TransactWriteItems, in item order. */
export function cancellationReasons(error: unknown): (string | undefined)[] {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return Array.isArray(reasons) ? reasons.map((r) => (r?.Code === 'None' ? undefined : r?.Code)) : [];
}

export function isConditionFailure(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  if (name === 'ConditionalCheckFailedException') return true;
  if (name === 'TransactionCanceledException')
    return cancellationReasons(error).includes('ConditionalCheckFailed');
  return false;
}

/**
 * Translates DynamoDB exceptions into the platform's errors so that no AWS exception type leaves
 * the data adapter: failed conditions become ConflictError, throttling becomes retryable.
 */
export function translateDynamoError(
  error: unknown,
  conflictMessage = 'The item changed or already exists.',
): AppError {
  if (error instanceof AppError) return error;
  const name = (error as { name?: string })?.name ?? '';
  if (isConditionFailure(error)) return new ConflictError(conflictMessage, { cause: error });
  if (
    THROTTLES.has(name) ||
    name === 'TimeoutError' ||
    (error as { code?: string })?.code === 'ECONNREFUSED'
  ) {
    return new UnavailableError('The database is busy; try again.', { cause: error });
  }
  return new InternalError('The database request failed.', { cause: error });
}

/** Runs a DynamoDB call, translating its failure. */
export async function dynamo<T>(run: () => Promise<T>, conflictMessage?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateDynamoError(error, conflictMessage);
  }
}
