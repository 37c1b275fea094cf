import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray tracing for every Lambda (Powertools Tracer; CDK turns active tracing on). Outside Lambda
 * (the local platform, tests) Powertools disables it and every call here is a no-op. Annotations
 * are indexed by X-Ray: an operator finds a call's traces with `annotation.callId = "call_…"`.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'control-plane' });

/** Annotates the active segment with the ids an operator searches by. */
export function annotate(ids: { callId?: string; tenantId?: string }): void {
  if (!tracer.isTracingEnabled()) return;
  if (ids.callId) tracer.putAnnotation('callId', ids.callId);
  if (ids.tenantId) tracer.putAnnotation('tenantId', ids.tenantId);
}

/**
 * Runs one queue message in its own subsegment, annotated with its call, so a batch of several
 * calls' messages still shows which work belonged to which call.
 */
export async function traceMessage<T>(
  name: string,
  ids: { callId?: string; tenantId?: string },
  fn: () => Promise<T>,
): Promise<T> {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return fn();
  const subsegment = parent.addNewSubsegment(name);
  tracer.setSegment(subsegment);
  try {
    annotate(ids);
    return await fn();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
