import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MachineVerdict } from '../voicemail/answered-by.ts';
import type { Db } from './client.ts';
import { isConditionFailure, translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';

/**
 * Stores a call's answering-machine verdict once: only on a call that asked for detection, and
 * only the first verdict (a repeated provider callback finds it set). Returns false when nothing
 * was written, so the caller acts on a verdict exactly once.
 */
export async function recordMachineVerdict(
  db: Db,
  tenantId: string,
  callId: string,
  verdict: MachineVerdict,
  now = new Date(),
): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.call(tenantId, callId),
        UpdateExpression: 'SET #md.#verdict = :verdict, #updatedAt = :now',
        ConditionExpression: 'attribute_exists(#md) AND attribute_not_exists(#md.#verdict)',
        ExpressionAttributeNames: {
          '#md': 'machineDetection',
          '#verdict': 'verdict',
          '#updatedAt': 'updatedAt',
        },
        ExpressionAttributeValues: {
          ':verdict': JSON.parse(JSON.stringify(verdict)) as MachineVerdict,
          ':now': now.toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}
