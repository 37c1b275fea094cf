import { z } from 'zod';
import type { CallSummary } from '../calls/call-types.ts';

export const SENTIMENTS = ['positive', 'neutral', 'negative', 'mixed'] as const;

/** What the model must return (the platform's part; `data` is the agent's own schema). */
export const ModelSummarySchema = z.object({
  summary: z.string().min(1).max(4000),
  sentiment: z.enum(SENTIMENTS),
  actionItems: z.array(z.string().min(1).max(500)).max(20),
  qaScore: z.number().int().min(0).max(100),
  qaReasons: z.array(z.string().min(1).max(500)).min(1).max(10),
});

type JsonSchema = Record<string, unknown>;

/**
 * OpenAI strict structured outputs accept only schemas where every object lists all its
 * properties as required and forbids additional ones. A tenant schema that does not follow that
 * is sent non-strict (the model is still guided by it) and the answer is validated here either way.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (!schema || typeof schema !== 'object') return true;
  const node = schema as JsonSchema;
  if (node.type === 'object' || node.properties) {
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    if (node.additionalProperties !== false) return false;
    if (Object.keys(properties).some((name) => !required.includes(name))) return false;
  }
  return Object.entries(node).every(
    ([key, value]) => key === 'enum' || key === 'const' || isStrictCompatible(value),
  );
}

/** The JSON Schema sent as the response format. */
export function responseJsonSchema(dataSchema?: JsonSchema): { schema: JsonSchema; strict: boolean } {
  const properties: Record<string, unknown> = {
    summary: {
      type: 'string',
      description: 'Three to six sentences: who called, why, what happened, the outcome.',
    },
    sentiment: { type: 'string', enum: [...SENTIMENTS], description: "The caller's overall sentiment." },
    actionItems: {
      type: 'array',
      items: { type: 'string' },
      description: 'Follow-ups someone must do after the call; empty when there are none.',
    },
    qaScore: {
      type: 'integer',
      minimum: 0,
      maximum: 100,
      description: "Quality of the agent's handling of the call, 0 (very poor) to 100 (excellent).",
    },
    qaReasons: {
      type: 'array',
      items: { type: 'string' },
      description: 'Short reasons for the QA score, each naming what was done well or badly.',
    },
  };
  if (dataSchema) properties.data = dataSchema;
  return {
    schema: {
      type: 'object',
      properties,
      required: Object.keys(properties),
      additionalProperties: false,
    },
    strict: dataSchema ? isStrictCompatible(dataSchema) : true,
  };
}

export class SummaryOutputError extends Error {
  readonly issues: string[];
  constructor(message: string, issues: string[] = []) {
    super(message);
    this.name = 'SummaryOutputError';
    this.issues = issues;
  }
}

/** A validator for the agent's `summarySchema`, or a reason it cannot be used. */
export function dataValidator(
  dataSchema: JsonSchema | undefined,
): { ok: true; validate?: (value: unknown) => string[] } | { ok: false; reason: string } {
  if (!dataSchema) return { ok: true };
  try {
    const schema = z.fromJSONSchema(dataSchema as Parameters<typeof z.fromJSONSchema>[0]);
    return {
      ok: true,
      validate: (value) => {
        const result = schema.safeParse(value);
        return result.success ? [] : result.error.issues.map((i) => `data.${i.path.join('.')}: ${i.message}`);
      },
    };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Parses and validates the model's JSON: the platform fields and, when the agent has a schema, the
 * extracted `data`. Anything off is a SummaryOutputError (retried: a new sample usually conforms).
 */
export function parseModelSummary(text: string, validateData?: (value: unknown) => string[]): CallSummary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SummaryOutputError('The model did not return JSON.');
  }
  const parsed = ModelSummarySchema.safeParse(json);
  if (!parsed.success)
    throw new SummaryOutputError(
      'The model output does not match the summary schema.',
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  const summary: CallSummary = { ...parsed.data };
  if (validateData) {
    const data = (json as { data?: unknown }).data;
    const issues = validateData(data);
    if (issues.length > 0)
      throw new SummaryOutputError('The extracted data does not match summarySchema.', issues);
    summary.data = data as Record<string, unknown>;
  }
  return summary;
}
