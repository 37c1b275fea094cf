import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TranscriptTurn } from '../calls/call-types.ts';
import type { Db } from './client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { callPk, keys } from './keys.ts';
import { stripKeys } from './pagination.ts';

/**
 * Stores one completed turn. Writing the same `seq` again is a no-op (`false`), which makes retries
 * and replays after a model reconnect safe: a turn is never duplicated or overwritten.
 */
export async function putTranscriptTurn(db: Db, turn: TranscriptTurn): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...keys.turn(turn.callId, turn.seq), type: 'turn', ...turn },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

/** Every turn of a call in order (transcripts are bounded by call length, so one list). */
export async function listTranscriptTurns(db: Db, callId: string): Promise<TranscriptTurn[]> {
  const turns: TranscriptTurn[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo(() =>
      db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': callPk(callId), ':prefix': 'TURN#' },
          ExclusiveStartKey: startKey,
          ConsistentRead: true,
        }),
      ),
    );
    for (const item of out.Items ?? []) turns.push(stripKeys<TranscriptTurn>(item));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return turns;
}
