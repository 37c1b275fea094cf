import { AsyncLocalStorage } from 'node:async_hooks';
import { parseTraceHeader, type TraceHeader } from './trace-header.ts';

const scope = new AsyncLocalStorage<TraceHeader>();

/**
 * Runs `fn` with `trace` as the current trace: log lines written inside carry its id and queue
 * messages published inside carry it on to their consumers. One scope per request, per queue
 * message, per call.
 */
export function runWithTrace<T>(trace: TraceHeader | undefined, fn: () => T): T {
  return trace ? scope.run(trace, fn) : fn();
}

/**
 * The trace of the work in progress: the scope's, else the Lambda invocation's
 * (`_X_AMZN_TRACE_ID`, set by the runtime when active tracing is on).
 */
export function currentTrace(): TraceHeader | undefined {
  return scope.getStore() ?? parseTraceHeader(process.env._X_AMZN_TRACE_ID);
}
