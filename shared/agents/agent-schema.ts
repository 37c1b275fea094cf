import { z } from 'zod';

const E164 = /^\+[1-9]\d{6,14}$/;
export const E164Schema = z.string().regex(E164, 'must be an E.164 number like +14155550100');

/** JSON Schema object for tool parameters; validated loosely (it is the model's contract). */
const JsonSchemaObject = z.record(z.string(), z.unknown());

/** A tenant-defined tool: the platform POSTs the arguments as JSON to `url`, signed. */
export const HttpToolSchema = z.strictObject({
  type: z.literal('http'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, _ and - only (max 64)'),
  description: z.string().min(1).max(1024),
  parameters: JsonSchemaObject.default({ type: 'object', properties: {} }),
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
});
export type HttpTool = z.output<typeof HttpToolSchema>;

export const REALTIME_VOICES = [
  'alloy',
  'ash',
  'ballad',
  'cedar',
  'coral',
  'echo',
  'marin',
  'sage',
  'shimmer',
  'verse',
] as const;

/** Fields a client may set on an agent; used for create (with required ones) and patch (all optional). */
export const AgentFieldsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  instructions: z.string().min(1).max(32_000),
  voice: z.enum(REALTIME_VOICES).default('marin'),
  greeting: z.string().max(2_000).optional(),
  language: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'an ISO-639-1 code such as "en" or "en-US"')
    .optional(),
  model: z.string().min(1).max(100).optional(),
  tools: z.array(HttpToolSchema).max(32).default([]),
  transferNumber: E164Schema.optional(),
  maxDurationSeconds: z
    .number()
    .int()
    .min(30)
    .max(4 * 3600)
    .default(1800),
  idleTimeoutSeconds: z.number().int().min(5).max(600).default(30),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  summarySchema: JsonSchemaObject.optional(),
  knowledgeBaseIds: z
    .array(z.string().regex(/^kb_[0-9A-HJKMNP-TV-Z]{26}$/, 'a knowledge base id (`kb_…`)'))
    .max(10)
    .optional()
    .describe('Knowledge bases the agent looks facts up in during calls (its `search_knowledge` tool).'),
});

export const CreateAgentSchema = AgentFieldsSchema;
export type CreateAgentInput = z.input<typeof CreateAgentSchema>;

export interface Agent extends z.output<typeof AgentFieldsSchema> {
  id: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
}
