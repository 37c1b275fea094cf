import { z } from 'zod';
import type { ErrorCode } from '../../errors/app-error.ts';
import type { HttpMethod, RouteAuth } from '../../http/route-types.ts';
import { AgentSchema, CreateAgentBodySchema, UpdateAgentBodySchema } from '../agent-schemas.ts';
import { ApiKeySchema, CreateApiKeyBodySchema, CreatedApiKeySchema } from '../api-key-schemas.ts';
import {
  CallSchema,
  CreateCallBodySchema,
  CreateEscalationBodySchema,
  CreateNoteBodySchema,
  EscalationSchema,
  ListCallsQuerySchema,
  NoteSchema,
  TranscriptSchema,
  TranscriptTurnSchema,
} from '../call-schemas.ts';
import { ErrorResponseSchema, PageQuerySchema, pageOf } from '../common-schemas.ts';
import {
  CreatePhoneNumberBodySchema,
  PhoneNumberSchema,
  UpdatePhoneNumberBodySchema,
} from '../phone-number-schemas.ts';
import { CreateTenantBodySchema, TenantSchema, UpdateTenantBodySchema } from '../tenant-schemas.ts';

/** One documented operation: the same zod schemas the handlers validate with. */
export interface ApiOperation {
  method: HttpMethod;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  scope?: 'admin';
  query?: z.ZodType;
  /** Accepts an `Idempotency-Key` header that makes retries safe. */
  idempotent?: boolean;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  errors: ErrorCode[];
}

const AUTH_ERRORS: ErrorCode[] = ['unauthorized', 'forbidden', 'rate_limited'];
const READ: ErrorCode[] = ['validation_error', ...AUTH_ERRORS];
const WRITE: ErrorCode[] = ['validation_error', ...AUTH_ERRORS, 'payload_too_large'];

const Tenant = TenantSchema;
const ApiKey = ApiKeySchema;
const CreatedApiKey = CreatedApiKeySchema;
const Agent = AgentSchema;
const PhoneNumber = PhoneNumberSchema;
const Call = CallSchema;
const Note = NoteSchema;
const Escalation = EscalationSchema;

/** Response models published as named components (`#/components/schemas/<name>`). */
export const NAMED_MODELS: Readonly<Record<string, z.ZodType>> = {
  Tenant,
  ApiKey,
  CreatedApiKey,
  Agent,
  PhoneNumber,
  Call,
  TranscriptTurn: TranscriptTurnSchema,
  Note,
  Escalation,
  Error: ErrorResponseSchema,
};

export const OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/health',
    operationId: 'getHealth',
    tag: 'Platform',
    auth: 'none',
    summary: 'Health of the API and its dependencies',
    description: 'Real reads against DynamoDB and SQS; 503 when either is down.',
    success: { status: 200, description: 'Healthy.' },
    errors: ['unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    tag: 'Platform',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    success: { status: 200, description: 'The document.' },
    errors: [],
  },
  {
    method: 'GET',
    path: '/docs',
    operationId: 'getDocs',
    tag: 'Platform',
    auth: 'none',
    summary: 'The API reference as an HTML page',
    success: { status: 200, description: 'HTML.', contentType: 'text/html' },
    errors: [],
  },
  {
    method: 'POST',
    path: '/v1/tenants',
    operationId: 'createTenant',
    tag: 'Tenants',
    auth: 'admin',
    summary: 'Create a tenant and its first admin key',
    description: 'Platform admin key only. The key secret is returned once.',
    body: CreateTenantBodySchema,
    success: {
      status: 201,
      description: 'Created.',
      schema: z.strictObject({ tenant: Tenant, apiKey: CreatedApiKey }),
    },
    errors: WRITE,
  },
  {
    method: 'GET',
    path: '/v1/tenants/{id}',
    operationId: 'getTenant',
    tag: 'Tenants',
    auth: 'admin',
    summary: 'Get a tenant',
    success: { status: 200, description: 'The tenant.', schema: z.strictObject({ tenant: Tenant }) },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'PATCH',
    path: '/v1/tenants/{id}',
    operationId: 'updateTenant',
    tag: 'Tenants',
    auth: 'admin',
    summary: 'Update a tenant',
    description:
      'Name, limits, webhook URL and Stripe customer. The billing status is set by Stripe events only.',
    body: UpdateTenantBodySchema,
    success: { status: 200, description: 'The updated tenant.', schema: z.strictObject({ tenant: Tenant }) },
    errors: [...WRITE, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/api-keys',
    operationId: 'createApiKey',
    tag: 'API keys',
    auth: 'apiKey',
    scope: 'admin',
    summary: 'Create an API key',
    description: 'The secret is in this response only; the platform stores a hash.',
    body: CreateApiKeyBodySchema,
    success: { status: 201, description: 'Created.', schema: z.strictObject({ apiKey: CreatedApiKey }) },
    errors: WRITE,
  },
  {
    method: 'GET',
    path: '/v1/api-keys',
    operationId: 'listApiKeys',
    tag: 'API keys',
    auth: 'apiKey',
    scope: 'admin',
    summary: 'List API keys (never their secrets)',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of keys.', schema: pageOf(ApiKey) },
    errors: READ,
  },
  {
    method: 'DELETE',
    path: '/v1/api-keys/{id}',
    operationId: 'deleteApiKey',
    tag: 'API keys',
    auth: 'apiKey',
    scope: 'admin',
    summary: 'Delete an API key',
    description: 'The key stops working at once.',
    success: { status: 204, description: 'Deleted.' },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/agents',
    operationId: 'createAgent',
    tag: 'Agents',
    auth: 'apiKey',
    summary: 'Create an agent',
    body: CreateAgentBodySchema,
    success: { status: 201, description: 'Created.', schema: z.strictObject({ agent: Agent }) },
    errors: WRITE,
  },
  {
    method: 'GET',
    path: '/v1/agents',
    operationId: 'listAgents',
    tag: 'Agents',
    auth: 'apiKey',
    summary: 'List agents, newest first',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of agents.', schema: pageOf(Agent) },
    errors: READ,
  },
  {
    method: 'GET',
    path: '/v1/agents/{id}',
    operationId: 'getAgent',
    tag: 'Agents',
    auth: 'apiKey',
    summary: 'Get an agent',
    success: { status: 200, description: 'The agent.', schema: z.strictObject({ agent: Agent }) },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'PATCH',
    path: '/v1/agents/{id}',
    operationId: 'updateAgent',
    tag: 'Agents',
    auth: 'apiKey',
    summary: 'Update an agent',
    description: 'Named fields change; `null` removes an optional field.',
    body: UpdateAgentBodySchema,
    success: { status: 200, description: 'The updated agent.', schema: z.strictObject({ agent: Agent }) },
    errors: [...WRITE, 'not_found', 'conflict'],
  },
  {
    method: 'DELETE',
    path: '/v1/agents/{id}',
    operationId: 'deleteAgent',
    tag: 'Agents',
    auth: 'apiKey',
    summary: 'Delete an agent',
    description: 'Refused with 409 while a phone number routes to it.',
    success: { status: 204, description: 'Deleted.' },
    errors: [...AUTH_ERRORS, 'not_found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/v1/phone-numbers',
    operationId: 'createPhoneNumber',
    tag: 'Phone numbers',
    auth: 'apiKey',
    summary: 'Register a phone number for an agent',
    description: 'Numbers are unique across the platform: 409 when taken.',
    body: CreatePhoneNumberBodySchema,
    success: {
      status: 201,
      description: 'Registered.',
      schema: z.strictObject({ phoneNumber: PhoneNumber }),
    },
    errors: [...WRITE, 'not_found', 'conflict'],
  },
  {
    method: 'GET',
    path: '/v1/phone-numbers',
    operationId: 'listPhoneNumbers',
    tag: 'Phone numbers',
    auth: 'apiKey',
    summary: 'List phone numbers, newest first',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of numbers.', schema: pageOf(PhoneNumber) },
    errors: READ,
  },
  {
    method: 'GET',
    path: '/v1/phone-numbers/{id}',
    operationId: 'getPhoneNumber',
    tag: 'Phone numbers',
    auth: 'apiKey',
    summary: 'Get a phone number',
    success: {
      status: 200,
      description: 'The number.',
      schema: z.strictObject({ phoneNumber: PhoneNumber }),
    },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'PATCH',
    path: '/v1/phone-numbers/{id}',
    operationId: 'updatePhoneNumber',
    tag: 'Phone numbers',
    auth: 'apiKey',
    summary: "Route a number's calls to another agent",
    body: UpdatePhoneNumberBodySchema,
    success: {
      status: 200,
      description: 'The updated number.',
      schema: z.strictObject({ phoneNumber: PhoneNumber }),
    },
    errors: [...WRITE, 'not_found'],
  },
  {
    method: 'DELETE',
    path: '/v1/phone-numbers/{id}',
    operationId: 'deletePhoneNumber',
    tag: 'Phone numbers',
    auth: 'apiKey',
    summary: 'Release a phone number',
    success: { status: 204, description: 'Deleted.' },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/calls',
    operationId: 'createCall',
    idempotent: true,
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'Place an outbound call',
    description:
      'Admitted (billing hold → 403, concurrent-call cap → 429 with `details.reason`), stored as `queued` and handed to the provider. If the provider refuses, the call ends as `failed` and the error says why (`details.callId`).',
    body: CreateCallBodySchema,
    success: { status: 202, description: 'Queued.', schema: z.strictObject({ call: Call }) },
    errors: [...WRITE, 'not_found', 'conflict', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/calls',
    operationId: 'listCalls',
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'List calls, newest first, with filters',
    query: ListCallsQuerySchema,
    success: { status: 200, description: 'A page of calls.', schema: pageOf(Call) },
    errors: READ,
  },
  {
    method: 'GET',
    path: '/v1/calls/{id}',
    operationId: 'getCall',
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'Get a call',
    success: { status: 200, description: 'The call.', schema: z.strictObject({ call: Call }) },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/calls/{id}/end',
    operationId: 'endCall',
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'End a call',
    description:
      'A queued call not yet dialed is canceled at once; otherwise the provider hangs up and the final status follows. 409 when the call has already ended.',
    success: { status: 202, description: 'Ending.', schema: z.strictObject({ call: Call }) },
    errors: [...AUTH_ERRORS, 'not_found', 'conflict', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/calls/{id}/transcript',
    operationId: 'getCallTranscript',
    tag: 'Calls',
    auth: 'apiKey',
    summary: "A call's transcript, turn by turn",
    success: { status: 200, description: 'The turns.', schema: TranscriptSchema },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/calls/{id}/notes',
    operationId: 'createCallNote',
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'Add a note to a call',
    body: CreateNoteBodySchema,
    success: { status: 201, description: 'Created.', schema: z.strictObject({ note: Note }) },
    errors: [...WRITE, 'not_found'],
  },
  {
    method: 'GET',
    path: '/v1/calls/{id}/notes',
    operationId: 'listCallNotes',
    tag: 'Calls',
    auth: 'apiKey',
    summary: "A call's notes, oldest first",
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of notes.', schema: pageOf(Note) },
    errors: [...READ, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/calls/{id}/escalations',
    operationId: 'createCallEscalation',
    tag: 'Calls',
    auth: 'apiKey',
    summary: 'Escalate a call to a human',
    description: 'Recorded and announced as a `call.escalated` event to the tenant webhook.',
    body: CreateEscalationBodySchema,
    success: { status: 201, description: 'Created.', schema: z.strictObject({ escalation: Escalation }) },
    errors: [...WRITE, 'not_found', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/calls/{id}/escalations',
    operationId: 'listCallEscalations',
    tag: 'Calls',
    auth: 'apiKey',
    summary: "A call's escalations, oldest first",
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of escalations.', schema: pageOf(Escalation) },
    errors: [...READ, 'not_found'],
  },
];
