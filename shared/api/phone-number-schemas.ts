import { z } from 'zod';
import { E164Schema } from '../agents/agent-schema.ts';
import { PHONE_PROVIDERS } from '../calls/providers.ts';
import { TimestampSchema } from './common-schemas.ts';

export const NumberProviderSchema = z.enum(PHONE_PROVIDERS);

export const CreatePhoneNumberBodySchema = z.strictObject({
  number: E164Schema.describe('E.164, e.g. +14155550100. Unique across the platform.'),
  agentId: z.string().min(1).max(64).describe('The agent that answers calls to this number.'),
  provider: NumberProviderSchema.describe('How calls to this number arrive.'),
});

export const PhoneNumberSchema = z.strictObject({
  id: z.string().describe('`num_…`'),
  number: z.string().describe('E.164.'),
  agentId: z.string().describe('The agent that answers calls to this number.'),
  provider: NumberProviderSchema.describe('How calls to this number arrive.'),
  createdAt: TimestampSchema,
});

export const UpdatePhoneNumberBodySchema = z.strictObject({
  agentId: z.string().min(1).max(64).describe('The agent that answers calls to this number from now on.'),
});
