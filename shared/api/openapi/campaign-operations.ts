import { z } from 'zod';
import {
  AddContactsBodySchema,
  AddContactsResultSchema,
  CampaignSchema,
  ContactSchema,
  CreateCampaignBodySchema,
  CreateDncBodySchema,
  DncEntrySchema,
  ListContactsQuerySchema,
} from '../../campaigns/campaign-schemas.ts';
import { UpdateCampaignBodySchema } from '../../campaigns/campaign-update.ts';
import { CreateImportBodySchema, ImportSchema, ImportUploadSchema } from '../../campaigns/import-api.ts';
import { PageQuerySchema, pageOf } from '../common-schemas.ts';
import { AUTH_ERRORS, type ApiOperation, READ_ERRORS, WRITE_ERRORS } from './operation-types.ts';

const tag = 'Campaigns';
const withCampaign = z.strictObject({ campaign: CampaignSchema });
const withImport = z.strictObject({ import: ImportSchema });

const transition = (
  action: 'start' | 'pause' | 'resume' | 'cancel',
  summary: string,
  description: string,
): ApiOperation => ({
  method: 'POST',
  path: `/v1/campaigns/{id}/${action}`,
  operationId: `${action}Campaign`,
  tag,
  auth: 'apiKey',
  summary,
  description,
  success: { status: 200, description: 'The campaign in its new status.', schema: withCampaign },
  errors: [...AUTH_ERRORS, 'not_found', 'conflict'],
});

/** Outbound campaigns, their contacts, CSV imports and the do-not-call list (docs/campaigns.md). */
export const CAMPAIGN_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'POST',
    path: '/v1/campaigns',
    operationId: 'createCampaign',
    tag,
    auth: 'apiKey',
    summary: 'Create a campaign (draft)',
    description:
      'The agent must have an outbound number (or pass `from`). Calls happen only inside `callingWindow`, read in each contact’s own time zone, and are retried per outcome by `retry`.',
    body: CreateCampaignBodySchema,
    success: { status: 201, description: 'Created as a draft.', schema: withCampaign },
    errors: WRITE_ERRORS,
  },
  {
    method: 'GET',
    path: '/v1/campaigns',
    operationId: 'listCampaigns',
    tag,
    auth: 'apiKey',
    summary: 'List campaigns, newest first',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of campaigns.', schema: pageOf(CampaignSchema) },
    errors: READ_ERRORS,
  },
  {
    method: 'GET',
    path: '/v1/campaigns/{id}',
    operationId: 'getCampaign',
    tag,
    auth: 'apiKey',
    summary: 'Get a campaign with live counts per contact state',
    success: { status: 200, description: 'The campaign.', schema: withCampaign },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'PATCH',
    path: '/v1/campaigns/{id}',
    operationId: 'updateCampaign',
    tag,
    auth: 'apiKey',
    summary: 'Edit a draft or paused campaign',
    description:
      'Named fields change; `schedule`, `callingWindow` and `variables` are replaced as a whole, `retry` per outcome, `null` removes `from` or `timezone`. A running, completed or canceled campaign answers 409 `conflict` with `details.reason: campaign_not_editable` (pause it first). The agent cannot change.',
    body: UpdateCampaignBodySchema,
    success: { status: 200, description: 'The campaign as it now is.', schema: withCampaign },
    errors: [...WRITE_ERRORS, 'not_found', 'conflict'],
  },
  {
    method: 'POST',
    path: '/v1/campaigns/{id}/contacts',
    operationId: 'addCampaignContacts',
    tag,
    auth: 'apiKey',
    summary: 'Add up to 1,000 contacts',
    description:
      'Each contact is checked on its own: invalid numbers, numbers already in the campaign, unknown or missing variables and time zones that do not exist are listed in `rejected`; the rest are stored. Numbers on the do-not-call list are stored as `skipped_dnc`. Bodies up to 1 MB. Larger lists: POST /v1/imports.',
    body: AddContactsBodySchema,
    success: {
      status: 200,
      description: 'What was stored and what was not.',
      schema: AddContactsResultSchema,
    },
    errors: [...WRITE_ERRORS, 'not_found', 'conflict'],
  },
  {
    method: 'GET',
    path: '/v1/campaigns/{id}/contacts',
    operationId: 'listCampaignContacts',
    tag,
    auth: 'apiKey',
    summary: 'List contacts, all or one state’s',
    query: ListContactsQuerySchema,
    success: { status: 200, description: 'A page of contacts.', schema: pageOf(ContactSchema) },
    errors: [...READ_ERRORS, 'not_found'],
  },
  transition('start', 'Start a draft campaign', 'The dispatcher picks it up within a minute (10 s locally).'),
  transition(
    'pause',
    'Pause a running campaign',
    'No new call from the next dispatch on; calls in progress are never cut.',
  ),
  transition(
    'resume',
    'Resume a paused campaign',
    'Waiting contacts are called again, inside their windows.',
  ),
  transition('cancel', 'Cancel a campaign for good', 'No further calls; calls in progress finish.'),
  {
    method: 'POST',
    path: '/v1/dnc',
    operationId: 'addDoNotCall',
    tag,
    auth: 'apiKey',
    summary: 'Put a number on the do-not-call list',
    description:
      'Campaigns check the list when contacts are added and again right before each dial. 201 when new, 200 when already listed. Agents add numbers themselves when a callee asks (`add_to_do_not_call`).',
    body: CreateDncBodySchema,
    success: { status: 201, description: 'Listed.', schema: z.strictObject({ entry: DncEntrySchema }) },
    errors: WRITE_ERRORS,
  },
  {
    method: 'GET',
    path: '/v1/dnc',
    operationId: 'listDoNotCall',
    tag,
    auth: 'apiKey',
    summary: 'List the do-not-call list, by number',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of entries.', schema: pageOf(DncEntrySchema) },
    errors: READ_ERRORS,
  },
  {
    method: 'DELETE',
    path: '/v1/dnc/{number}',
    operationId: 'removeDoNotCall',
    tag,
    auth: 'apiKey',
    summary: 'Take a number off the do-not-call list',
    description: 'The number in E.164 with the `+` URL-encoded (`%2B14155550100`).',
    success: { status: 204, description: 'Removed.' },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/imports',
    operationId: 'createImport',
    tag,
    auth: 'apiKey',
    summary: 'Create a CSV import (contacts or do-not-call numbers)',
    description:
      'PUT the file to `upload.url` with `upload.headers`, then POST /v1/imports/{id}/start. A header row is required: a `number` (or `phone`) column, optionally `timezone`, and for contacts one column per variable. UTF-8, or UTF-16 with a byte-order mark.',
    body: CreateImportBodySchema,
    success: {
      status: 201,
      description: 'Waiting for the upload.',
      schema: z.strictObject({
        import: ImportSchema,
        upload: ImportUploadSchema.describe('Where and how to PUT the CSV file.'),
      }),
    },
    errors: [...WRITE_ERRORS, 'conflict'],
  },
  {
    method: 'POST',
    path: '/v1/imports/{id}/start',
    operationId: 'startImport',
    tag,
    auth: 'apiKey',
    summary: 'Start an uploaded import',
    success: { status: 202, description: 'Queued.', schema: withImport },
    errors: [...AUTH_ERRORS, 'not_found', 'conflict', 'unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/imports/{id}',
    operationId: 'getImport',
    tag,
    auth: 'apiKey',
    summary: 'Get an import’s progress and rejected rows',
    success: { status: 200, description: 'The import.', schema: withImport },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
];
