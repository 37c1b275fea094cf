import type { MessageAttributeValue, MessageSystemAttributeValue } from '@aws-sdk/client-sqs';
import { formatTraceHeader, parseTraceHeader, type TraceHeader } from './trace-header.ts';
import { currentTrace } from './trace-scope.ts';

/** Our copy of the trace header, for SQS implementations that drop system attributes (emulators). */
export const TRACE_MESSAGE_ATTRIBUTE = 'traceHeader';

/**
 * The current trace for a message being sent: as `AWSTraceHeader` (SQS hands it to the consuming
 * Lambda, which X-Ray then links to the sender's trace) and as a message attribute of our own.
 */
export function traceMessageAttributes(trace: TraceHeader | undefined = currentTrace()): {
  MessageSystemAttributes?: Record<string, MessageSystemAttributeValue>;
  MessageAttributes?: Record<string, MessageAttributeValue>;
} {
  if (!trace) return {};
  const header = formatTraceHeader(trace);
  return {
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: header } },
    MessageAttributes: { [TRACE_MESSAGE_ATTRIBUTE]: { DataType: 'String', StringValue: header } },
  };
}

/** The shape of an SQS record as Lambda delivers it (and the local poller imitates). */
interface TracedRecord {
  attributes?: { AWSTraceHeader?: string };
  messageAttributes?: Record<string, { stringValue?: string } | undefined>;
}

/** The trace a received message belongs to, or undefined. */
export function traceOfRecord(record: TracedRecord): TraceHeader | undefined {
  return (
    parseTraceHeader(record.attributes?.AWSTraceHeader) ??
    parseTraceHeader(record.messageAttributes?.[TRACE_MESSAGE_ATTRIBUTE]?.stringValue)
  );
}
