import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TranscriptTurn } from '../calls/call-types.ts';
import type { Db } from './client.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { callPk, keys } from './keys.ts';
import { queryAll, stripKeys } from './pagination.ts';

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
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': callPk(callId), ':prefix': 'TURN#' },
    ConsistentRead: true,
  });
  return items.map((item) => stripKeys<TranscriptTurn>(item));
}
