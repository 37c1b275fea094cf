/**
 * An answer that fits a JSON schema, for the local stand-in model: the summary fields speak
 * plainly about what a stand-in can know (how many turns the call had), and any other field
 * (an agent's own `summarySchema`) gets the simplest valid value for its type.
 */
type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  minItems?: number;
  anyOf?: JsonSchema[];
};

export function answerForSchema(schema: JsonSchema, transcript: string, key = ''): unknown {
  if (schema.enum && schema.enum.length > 0)
    return schema.enum.includes('neutral') ? 'neutral' : schema.enum[0];
  if (schema.anyOf && schema.anyOf.length > 0)
    return answerForSchema(schema.anyOf[0] as JsonSchema, transcript, key);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        out[name] = answerForSchema(property, transcript, name);
      return out;
    }
    case 'array': {
      const count = schema.minItems ?? (key === 'qaReasons' ? 1 : 0);
      return Array.from({ length: count }, () => answerForSchema(schema.items ?? {}, transcript, key));
    }
    case 'string':
      return key === 'summary' ? standInSummary(transcript) : key === 'qaReasons' ? STAND_IN_REASON : '';
    case 'number':
    case 'integer':
      return key === 'qaScore' ? 50 : (schema.minimum ?? 0);
    case 'boolean':
      return false;
    default:
      return null;
  }
}

const STAND_IN_REASON = 'Scored by the local stand-in model, which does not judge calls.';

function standInSummary(transcript: string): string {
  const lines = transcript.split('\n');
  const callerTurns = lines.filter((line) => /^caller\b/i.test(line)).length;
  const agentTurns = lines.filter((line) => /^agent\b/i.test(line)).length;
  return `A local demo call with the stand-in agent: the caller spoke ${callerTurns} time(s) and the agent answered ${agentTurns} time(s). Set OPENAI_API_KEY for summaries written by a real model.`;
}

/** A deterministic unit vector for `text` (the same text always embeds the same way). */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
    let hash = 2166136261;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 16777619) >>> 0;
    vector[hash % dimensions] = (vector[hash % dimensions] as number) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

/** What the stand-in model answers a Responses API request with a `json_schema` text format. */
export function standInResponse(request: Record<string, unknown>): unknown {
  const schema = (request.text as { format?: { schema?: JsonSchema } } | undefined)?.format?.schema ?? {};
  const input = typeof request.input === 'string' ? request.input : JSON.stringify(request.input ?? '');
  const transcript = input.slice(input.indexOf('Transcript:') + 1);
  return answerForSchema(schema, transcript);
}
