import { z } from 'zod';
import {
  CallSchema,
  CreateCallBodySchema,
  CreateEscalationBodySchema,
  CreateNoteBodySchema,
  EscalationSchema,
  ListCallsQuerySchema,
  NoteSchema,
  TranscriptSchema,
} from '../call-schemas.ts';
import { PageQuerySchema, pageOf } from '../common-schemas.ts';
import { AUTH_ERRORS, type ApiOperation, READ_ERRORS, WRITE_ERRORS } from './operation-types.ts';

const Call = CallSchema;
const Note = NoteSchema;
const Escalation = EscalationSchema;

/** Calls and what hangs off them: transcripts, notes, escalations. */
export const CALL_OPERATIONS: readonly ApiOperation[] = [
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
    errors: [...WRITE_ERRORS, 'not_found', 'conflict', 'unavailable'],
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
    errors: READ_ERRORS,
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
    errors: [...WRITE_ERRORS, 'not_found'],
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
    errors: [...READ_ERRORS, 'not_found'],
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
    errors: [...WRITE_ERRORS, 'not_found', 'unavailable'],
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
    errors: [...READ_ERRORS, 'not_found'],
  },
];
