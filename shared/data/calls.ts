import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { allowedPredecessors, type CallStatus, isTerminal } from '../calls/call-status.ts';
import { type Call, emptyUsage, type RealtimeUsage } from '../calls/call-types.ts';
import { ConflictError, NotFoundError, RateLimitedError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { newTraceId } from '../observability/trace-header.ts';
import { currentTrace } from '../observability/trace-scope.ts';
import type { Db } from './client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { callIndexPk, keys } from './keys.ts';
import { namedTransaction } from './named-transaction.ts';
import { stripKeys } from './pagination.ts';
import { buildUpdate } from './update-expression.ts';

export type NewCall = Pick<Call, 'tenantId' | 'agentId' | 'direction' | 'provider' | 'from' | 'to'> &
  Partial<
    Pick<
      Call,
      'providerCallId' | 'metadata' | 'status' | 'media' | 'recording' | 'machineDetection' | 'variables'
    >
  >;

/** The concurrency cap was reached; stable code `rate_limited`, reason in details. */
export class ConcurrencyLimitError extends RateLimitedError {
  constructor(limit: number) {
    super(`This account already has ${limit} calls in progress.`, 5, {
      details: { reason: 'concurrent_calls', limit },
    });
    this.name = 'ConcurrencyLimitError';
  }
}

/** The five call GSI key attributes (also used by bulk loaders). */
export function callIndexAttributes(
  call: Pick<Call, 'tenantId' | 'id' | 'status' | 'agentId' | 'direction' | 'from' | 'to'>,
) {
  return {
    gsi1pk: callIndexPk.status(call.tenantId, call.status),
    gsi1sk: call.id,
    gsi2pk: callIndexPk.agent(call.tenantId, call.agentId),
    gsi2sk: call.id,
    gsi3pk: callIndexPk.direction(call.tenantId, call.direction),
    gsi3sk: call.id,
    gsi4pk: callIndexPk.from(call.tenantId, call.from),
    gsi4sk: call.id,
    gsi5pk: callIndexPk.to(call.tenantId, call.to),
    gsi5sk: call.id,
  };
}

/**
 * Creates a call and takes one of the tenant's concurrent-call slots in one transaction, so the
 * cap holds under any concurrency. With a `providerCallId` (Twilio CallSid) creation is idempotent:
 * a retried webhook gets the call created the first time (`created: false`), and no second slot.
 */
export async function createCall(
  db: Db,
  input: NewCall,
  options: { maxConcurrentCalls: number; now?: Date; id?: string },
): Promise<{ call: Call; created: boolean }> {
  const now = options.now ?? new Date();
  const call: Call = {
    id: options.id ?? newId('call', now.getTime()),
    tenantId: input.tenantId,
    agentId: input.agentId,
    direction: input.direction,
    provider: input.provider,
    providerCallId: input.providerCallId,
    from: input.from,
    to: input.to,
    status: input.status ?? 'queued',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    usage: emptyUsage(),
    metadata: input.metadata ?? {},
    ...(input.variables ? { variables: input.variables } : {}),
    media: input.media,
    ...(input.recording ? { recording: input.recording } : {}),
    ...(input.machineDetection ? { machineDetection: input.machineDetection } : {}),
    traceId: currentTrace()?.root ?? newTraceId(now.getTime()),
  };
  const transaction = namedTransaction({
    call: {
      Put: {
        TableName: db.tableName,
        Item: { ...keys.call(call.tenantId, call.id), type: 'call', ...call, ...callIndexAttributes(call) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    concurrencySlot: {
      Update: {
        TableName: db.tableName,
        Key: keys.activeCalls(call.tenantId),
        ...buildUpdate({
          add: { active: 1 },
          condition: {
            expression: 'attribute_not_exists(#active) OR #active < :max',
            values: { ':max': options.maxConcurrentCalls },
          },
        }),
      },
    },
    providerCallId: call.providerCallId
      ? {
          Put: {
            TableName: db.tableName,
            Item: {
              ...keys.providerCall(call.provider, call.providerCallId),
              type: 'providerCall',
              tenantId: call.tenantId,
              callId: call.id,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        }
      : undefined,
  });
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: transaction.items }));
    return { call, created: true };
  } catch (error) {
    if (call.providerCallId && transaction.conditionFailed(error, 'providerCallId')) {
      const existing = await findCallByProviderId(db, call.provider, call.providerCallId);
      if (existing) return { call: existing, created: false };
    }
    if (transaction.conditionFailed(error, 'concurrencySlot'))
      throw new ConcurrencyLimitError(options.maxConcurrentCalls);
    throw translateDynamoError(error);
  }
}

export async function getCall(db: Db, tenantId: string, callId: string): Promise<Call | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.call(tenantId, callId), ConsistentRead: true }),
    ),
  );
  return out.Item ? stripKeys<Call>(out.Item) : undefined;
}

export async function findCallByProviderId(
  db: Db,
  provider: string,
  providerCallId: string,
): Promise<Call | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: keys.providerCall(provider, providerCallId),
        ConsistentRead: true,
      }),
    ),
  );
  if (!out.Item) return undefined;
  return getCall(db, String(out.Item.tenantId), String(out.Item.callId));
}

/** Records the provider's id for a call created before the provider knew it (outbound). */
export async function linkProviderCallId(db: Db, call: Call, providerCallId: string): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...keys.providerCall(call.provider, providerCallId),
                type: 'providerCall',
                tenantId: call.tenantId,
                callId: call.id,
              },
            },
          },
          {
            Update: {
              TableName: db.tableName,
              Key: keys.call(call.tenantId, call.id),
              ...buildUpdate({
                set: { providerCallId },
                condition: { expression: 'attribute_exists(pk)' },
              }),
            },
          },
        ],
      }),
    ),
  );
}

type Patchable = Partial<
  Pick<
    Call,
    | 'answeredAt'
    | 'endedAt'
    | 'durationSeconds'
    | 'endReason'
    | 'telemetry'
    | 'media'
    | 'transfers'
    | 'summary'
    | 'providerSequence'
    | 'machineDetection'
  >
>;

export interface TransitionOptions {
  now?: Date;
  /** Apply only if no higher provider sequence number was applied before (out-of-order callbacks). */
  providerSequence?: number;
}

/**
 * Moves a call to `to` if the state machine allows it from the stored status, with `patch`
 * applied in the same write. Reaching a terminal status releases the tenant's concurrency slot
 * in the same transaction. Returns `changed: false` when the call was already in `to` (a retry),
 * and throws ConflictError for a transition the state machine forbids.
 */
export async function transitionCall(
  db: Db,
  tenantId: string,
  callId: string,
  to: CallStatus,
  patch: Patchable = {},
  options: TransitionOptions = {},
): Promise<{ call: Call; changed: boolean }> {
  const now = (options.now ?? new Date()).toISOString();
  const from = allowedPredecessors(to);
  const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
  // `#status` / `:status` and `#providerSequence` / `:providerSequence` are the SET placeholders.
  let condition = `attribute_exists(pk) AND #status IN (${Object.keys(fromValues).join(', ') || ':status'})`;
  const sequenced = options.providerSequence !== undefined;
  if (sequenced)
    condition += ' AND (attribute_not_exists(#providerSequence) OR #providerSequence < :providerSequence)';
  const update = {
    TableName: db.tableName,
    Key: keys.call(tenantId, callId),
    ...buildUpdate({
      set: {
        ...patch,
        status: to,
        updatedAt: now,
        gsi1pk: callIndexPk.status(tenantId, to),
        ...(sequenced ? { providerSequence: options.providerSequence } : {}),
      },
      condition: { expression: condition, values: fromValues },
    }),
  };
  try {
    if (isTerminal(to)) {
      await db.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            {
              Update: {
                TableName: db.tableName,
                Key: keys.activeCalls(tenantId),
                ...buildUpdate({ add: { active: -1 } }),
              },
            },
          ],
        }),
      );
    } else {
      await db.doc.send(new UpdateCommand(update));
    }
  } catch (error) {
    if (!isConditionFailure(error)) throw translateDynamoError(error);
    const current = await getCall(db, tenantId, callId);
    if (!current) throw new NotFoundError('Call not found.');
    if (current.status === to) return { call: current, changed: false };
    if (
      options.providerSequence !== undefined &&
      (current.providerSequence ?? -1) >= options.providerSequence
    ) {
      return { call: current, changed: false };
    }
    throw new ConflictError(`A ${current.status} call cannot become ${to}.`, {
      details: { reason: 'invalid_transition', from: current.status, to },
    });
  }
  const call = await getCall(db, tenantId, callId);
  if (!call) throw new NotFoundError('Call not found.');
  return { call, changed: true };
}

/** Sets fields on an existing call without changing its status. */
export async function patchCall(
  db: Db,
  tenantId: string,
  callId: string,
  patch: Patchable,
  now = new Date(),
): Promise<void> {
  await dynamo(
    () =>
      db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.call(tenantId, callId),
          ...buildUpdate({
            set: { ...patch, updatedAt: now.toISOString() },
            condition: { expression: 'attribute_exists(pk)' },
          }),
        }),
      ),
    'Call not found.',
  );
}

/** Adds a usage delta (from one `response.done` or transcription) to the call's running totals. */
export async function addCallUsage(
  db: Db,
  tenantId: string,
  callId: string,
  delta: Partial<RealtimeUsage>,
): Promise<void> {
  const entries = Object.entries(delta).filter(([, v]) => typeof v === 'number' && v !== 0) as [
    string,
    number,
  ][];
  if (entries.length === 0) return;
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.call(tenantId, callId),
        ...buildUpdate({
          increment: { in: 'usage', by: Object.fromEntries(entries) },
          condition: { expression: 'attribute_exists(pk)' },
        }),
      }),
    ),
  );
}

export async function getActiveCallCount(db: Db, tenantId: string): Promise<number> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: keys.activeCalls(tenantId), ConsistentRead: true }),
    ),
  );
  return Number(out.Item?.active ?? 0);
}
