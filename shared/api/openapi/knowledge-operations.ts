import { z } from 'zod';
import {
  CreateKnowledgeBaseBodySchema,
  DocumentSchema,
  KnowledgeBaseSchema,
  SearchBodySchema,
  SearchResultSchema,
  SyncSchema,
  UpdateKnowledgeBaseBodySchema,
  UploadSchema,
} from '../../knowledge/knowledge-schemas.ts';
import { PageQuerySchema, pageOf } from '../common-schemas.ts';
import { AUTH_ERRORS, type ApiOperation, READ_ERRORS, WRITE_ERRORS, apiGrants } from './operation-types.ts';

const tag = 'Knowledge bases';
const withUploads = z.strictObject({
  knowledgeBase: KnowledgeBaseSchema,
  uploads: z.array(UploadSchema).describe('One presigned PUT per file source not uploaded yet.'),
});

const knowledgeGrants = apiGrants({
  sendsTo: ['knowledgeCrawl', 'knowledgeIndex'],
  knowledgeBucket: 'readWrite',
});

/** Knowledge bases: sources, syncs with progress, documents and search. */
export const KNOWLEDGE_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'POST',
    path: '/v1/knowledge-bases',
    operationId: 'createKnowledgeBase',
    handler: 'create-knowledge-base',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'Create a knowledge base',
    description:
      'Sources: a website to crawl, a sitemap, inline text, or files (HTML, Markdown, plain text, PDF) uploaded with the presigned PUTs returned in `uploads`. Private or local URLs are refused outside local development.',
    body: CreateKnowledgeBaseBodySchema,
    success: { status: 201, description: 'Created.', schema: withUploads },
    errors: WRITE_ERRORS,
  },
  {
    method: 'GET',
    path: '/v1/knowledge-bases',
    operationId: 'listKnowledgeBases',
    handler: 'list-knowledge-bases',
    grants: apiGrants({ sendsTo: ['knowledgeCrawl', 'knowledgeIndex'] }),
    tag,
    auth: 'apiKey',
    summary: 'List knowledge bases, newest first',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of knowledge bases.', schema: pageOf(KnowledgeBaseSchema) },
    errors: READ_ERRORS,
  },
  {
    method: 'GET',
    path: '/v1/knowledge-bases/{id}',
    operationId: 'getKnowledgeBase',
    handler: 'get-knowledge-base',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'Get a knowledge base',
    success: {
      status: 200,
      description: 'The knowledge base.',
      schema: z.strictObject({ knowledgeBase: KnowledgeBaseSchema }),
    },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'PATCH',
    path: '/v1/knowledge-bases/{id}',
    operationId: 'updateKnowledgeBase',
    handler: 'update-knowledge-base',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'Update a knowledge base',
    description:
      '`sources` replaces the list; sources that did not change keep their ids and uploads. Takes effect at the next sync.',
    body: UpdateKnowledgeBaseBodySchema,
    success: { status: 200, description: 'The updated knowledge base.', schema: withUploads },
    errors: [...WRITE_ERRORS, 'not_found', 'conflict'],
  },
  {
    method: 'DELETE',
    path: '/v1/knowledge-bases/{id}',
    operationId: 'deleteKnowledgeBase',
    handler: 'delete-knowledge-base',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'Delete a knowledge base',
    description: 'Gone at once; its documents, chunks and index data are removed in the background.',
    success: { status: 204, description: 'Deleted.' },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/knowledge-bases/{id}/syncs',
    operationId: 'startKnowledgeSync',
    handler: 'start-knowledge-sync',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'Start a sync',
    description:
      'Crawls and reads every source, re-embedding only what changed, then publishes a new index version atomically. 409 while a sync runs.',
    success: { status: 202, description: 'Started.', schema: z.strictObject({ sync: SyncSchema }) },
    errors: [...AUTH_ERRORS, 'not_found', 'conflict'],
  },
  {
    method: 'GET',
    path: '/v1/knowledge-bases/{id}/syncs/{syncId}',
    operationId: 'getKnowledgeSync',
    handler: 'get-knowledge-sync',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'Get a sync with its progress',
    success: { status: 200, description: 'The sync.', schema: z.strictObject({ sync: SyncSchema }) },
    errors: [...AUTH_ERRORS, 'not_found'],
  },
  {
    method: 'GET',
    path: '/v1/knowledge-bases/{id}/documents',
    operationId: 'listKnowledgeDocuments',
    handler: 'list-knowledge-documents',
    grants: knowledgeGrants,
    tag,
    auth: 'apiKey',
    summary: 'List the documents of a knowledge base',
    query: PageQuerySchema,
    success: { status: 200, description: 'A page of documents.', schema: pageOf(DocumentSchema) },
    errors: [...READ_ERRORS, 'not_found'],
  },
  {
    method: 'POST',
    path: '/v1/knowledge-bases/{id}/search',
    operationId: 'searchKnowledgeBase',
    handler: 'search-knowledge-base',
    grants: apiGrants({
      sendsTo: ['knowledgeCrawl', 'knowledgeIndex'],
      knowledgeBucket: 'readWrite',
      lanceDb: true,
    }),
    tag,
    auth: 'apiKey',
    summary: 'Search a knowledge base',
    description:
      'Hybrid search (embeddings + keywords, fused by rank) of the published index version: what an agent would see.',
    body: SearchBodySchema,
    success: {
      status: 200,
      description: 'The best passages, best first.',
      schema: z.strictObject({
        results: z
          .array(SearchResultSchema)
          .describe('The best passages, most relevant first (up to `topK`).'),
      }),
    },
    errors: [...WRITE_ERRORS, 'not_found', 'unavailable'],
  },
];
