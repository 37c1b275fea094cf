import { z } from 'zod';
import { AgentFieldsSchema } from '../agents/agent-schema.ts';
import { TimestampSchema } from './common-schemas.ts';

export const CreateAgentBodySchema = AgentFieldsSchema;

type FieldShape = typeof AgentFieldsSchema.shape;

/**
 * Every agent field optional and without defaults (a PATCH must not reset what it does not name);
 * fields that have no default may be `null` to remove them.
 */
function patchShape(): { [K in keyof FieldShape]: z.ZodOptional<z.ZodType> } {
  const out: Record<string, z.ZodOptional<z.ZodType>> = {};
  for (const [name, field] of Object.entries(AgentFieldsSchema.shape) as [string, z.ZodType][]) {
    const description = field.description ?? '';
    if (field instanceof z.ZodDefault) out[name] = (field.unwrap() as z.ZodType).optional();
    else if (field instanceof z.ZodOptional)
      out[name] = (field.unwrap() as z.ZodType)
        .nullable()
        .describe(`${description} \`null\` removes it.`)
        .optional();
    else out[name] = field.optional();
  }
  return out as { [K in keyof FieldShape]: z.ZodOptional<z.ZodType> };
}

export const UpdateAgentBodySchema = z
  .strictObject(patchShape())
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');

export const AgentSchema = AgentFieldsSchema.extend({
  id: z.string().describe('`agt_…`'),
  tenantId: z.string().describe('The tenant (`ten_…`) that owns the agent.'),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
