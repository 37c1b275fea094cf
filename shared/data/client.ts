import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addMapKeyEscaping } from './map-key-escaping.ts';
import { configSource } from '../config/config-source.ts';

/** What every repository function takes: the document client and the table name. */
export interface Db {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

export interface DbOptions {
  tableName: string;
  endpoint?: string;
  region?: string;
}

export function createDb(options: DbOptions): Db {
  const client = new DynamoDBClient({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    // The local emulator accepts any credentials; real AWS uses the default provider chain.
    ...(options.endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  addMapKeyEscaping(doc);
  return { doc, tableName: options.tableName };
}

let processDb: Db | undefined;
/** The process-wide client from TABLE_NAME / DYNAMODB_ENDPOINT / AWS_REGION, built on first use. */
export function dbFromEnv(env: Record<string, string | undefined> = configSource()): Db {
  processDb ??= createDb({
    tableName: env.TABLE_NAME || 'ai-caller-local-main',
    endpoint: env.DYNAMODB_ENDPOINT || undefined,
    region: env.AWS_REGION || undefined,
  });
  return processDb;
}
export function resetDbCache(): void {
  processDb = undefined;
}
