import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda context like the runtime's, for handlers invoked locally. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;
const loaded = new Map<string, Promise<AnyHandler>>();

/** Imports a handler module once, like a warm Lambda, and returns its `handler` export. */
export function loadHandler(rootDir: string, modulePath: string): Promise<AnyHandler> {
  let pending = loaded.get(modulePath);
  if (!pending) {
    pending = import(`${rootDir}/${modulePath}`).then((mod: { handler?: AnyHandler }) => {
      if (typeof mod.handler !== 'function') throw new Error(`${modulePath} does not export a handler`);
      return mod.handler;
    });
    loaded.set(modulePath, pending);
    pending.catch(() => loaded.delete(modulePath));
  }
  return pending;
}
