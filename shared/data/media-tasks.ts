import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { keys } from './keys.ts';
import { stripKeys } from './pagination.ts';

/**
 * A media task's address inside the service's network, so another task can hand it a command for
 * a call it owns (the call's owner record names the task, this record says where it listens).
 * Written once when the task starts listening; an address never changes during a task's life.
 */
export interface MediaTaskRecord {
  taskId: string;
  /** Base URL reachable from the other tasks, e.g. `http://10.0.3.17:8080`. */
  url: string;
  startedAtMs: number;
}

/** Longer than any task lives between deploys; TTL only tidies records of tasks long gone. */
const TASK_TTL_SECONDS = 7 * 24 * 3600;

export async function registerMediaTask(
  db: Db,
  task: Pick<MediaTaskRecord, 'taskId' | 'url'>,
  nowMs: number = Date.now(),
): Promise<MediaTaskRecord> {
  const record: MediaTaskRecord = { ...task, startedAtMs: nowMs };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...keys.mediaTask(task.taskId),
          type: 'mediaTask',
          ...record,
          expiresAt: Math.floor(nowMs / 1000) + TASK_TTL_SECONDS,
        },
      }),
    );
  } catch (error) {
    throw translateDynamoError(error);
  }
  return record;
}

export async function getMediaTask(db: Db, taskId: string): Promise<MediaTaskRecord | undefined> {
  try {
    const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.mediaTask(taskId) }));
    return out.Item ? stripKeys<MediaTaskRecord>(out.Item) : undefined;
  } catch (error) {
    throw translateDynamoError(error);
  }
}
