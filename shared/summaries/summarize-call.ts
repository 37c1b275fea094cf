import OpenAI from 'openai';
import type { CallSummary, TranscriptTurn } from '../calls/call-types.ts';
import { AppError } from '../errors/app-error.ts';
import {
  dataValidator,
  parseModelSummary,
  responseJsonSchema,
  SummaryOutputError,
} from './summary-schema.ts';
import { summaryWithoutModel, transcriptText } from './transcript-text.ts';

export interface SummaryModelConfig {
  /** Asked for only when the model is needed: empty transcripts are summarized without a key. */
  apiKey: () => Promise<string>;
  baseUrl: string;
  model: string;
  timeoutMs?: number;
}

export interface SummaryResult {
  summary: CallSummary;
  /** Whether the model wrote it (and so whether the QA score is a real score). */
  byModel: boolean;
  inputTokens: number;
  outputTokens: number;
}

/** A failed summary attempt: `retryable` ones go back to the queue, the others to the DLQ. */
export class SummaryError extends AppError {
  /** No retry can help (e.g. the model rejected the request): straight to the DLQ. */
  readonly permanent: boolean;
  constructor(message: string, retryable: boolean, options: { cause?: unknown; details?: unknown } = {}) {
    super(retryable ? 'unavailable' : 'internal', message, { retryable, ...options });
    this.name = 'SummaryError';
    this.permanent = !retryable;
  }
}

/** OpenAI statuses worth retrying: timeouts, conflicts, rate limits, server errors, no response. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
}

const INSTRUCTIONS = `You review phone calls handled by an AI voice agent and write the after-call record.
Work only from the transcript; never invent facts. Write in the language of the call.
- summary: three to six sentences for a busy colleague: who called, why, what happened, the outcome.
- sentiment: the caller's overall sentiment.
- actionItems: concrete follow-ups someone must do (empty list if none).
- qaScore: 0-100 for the agent: understood the caller, followed its instructions, was accurate, polite and concise, resolved or correctly escalated.
- qaReasons: one to five short reasons for the score.
- data (only when requested): fill the fields from what was said; use null or empty values for what was not said.`;

export interface SummarizeInput {
  turns: readonly TranscriptTurn[];
  agentInstructions?: string;
  summarySchema?: Record<string, unknown>;
}

/**
 * Summarizes a call. Short or empty transcripts are summarized without the model. Otherwise one
 * Responses API request with a JSON-schema response format (strict when the agent's schema allows)
 * whose answer is validated before anything is returned: a result is either complete or an error.
 * The SDK does not retry (`maxRetries: 0`): retries go through the queue, with backoff and a DLQ.
 */
export async function summarizeCall(
  config: SummaryModelConfig,
  input: SummarizeInput,
): Promise<SummaryResult> {
  const withoutModel = summaryWithoutModel(input.turns);
  if (withoutModel) return { summary: withoutModel, byModel: false, inputTokens: 0, outputTokens: 0 };

  const validator = dataValidator(input.summarySchema);
  // An unusable tenant schema must not block the summary itself: summarize without extraction.
  const dataSchema = validator.ok ? input.summarySchema : undefined;
  const { schema, strict } = responseJsonSchema(dataSchema);
  const client = new OpenAI({
    apiKey: await config.apiKey(),
    baseURL: config.baseUrl,
    maxRetries: 0,
    timeout: config.timeoutMs ?? 45_000,
  });
  const context = input.agentInstructions
    ? `The agent's instructions were:\n"""\n${input.agentInstructions.slice(0, 6000)}\n"""\n\n`
    : '';
  let response: Awaited<ReturnType<typeof client.responses.create>>;
  try {
    response = await client.responses.create({
      model: config.model,
      instructions: INSTRUCTIONS,
      input: `${context}Transcript:\n${transcriptText(input.turns)}`,
      text: { format: { type: 'json_schema', name: 'call_summary', schema, strict } },
      max_output_tokens: 8000,
      store: false,
    });
  } catch (error) {
    const status = error instanceof OpenAI.APIError ? error.status : undefined;
    throw new SummaryError(
      `The summary model request failed${status ? ` (HTTP ${status})` : ''}.`,
      isRetryableStatus(status),
      {
        cause: error,
        details: { status },
      },
    );
  }
  if (response.status !== 'completed') {
    throw new SummaryError(`The summary response is ${response.status ?? 'incomplete'}.`, true, {
      details: { reason: response.incomplete_details?.reason },
    });
  }
  const refusal = response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .find((part) => part.type === 'refusal');
  if (refusal) throw new SummaryError('The summary model refused.', false);
  let summary: CallSummary;
  try {
    summary = parseModelSummary(response.output_text, validator.ok ? validator.validate : undefined);
  } catch (error) {
    if (error instanceof SummaryOutputError)
      throw new SummaryError(error.message, true, { cause: error, details: { issues: error.issues } });
    throw error;
  }
  return {
    summary,
    byModel: true,
    inputTokens: response.usage?.input_tokens ?? 0,
    outputTokens: response.usage?.output_tokens ?? 0,
  };
}
