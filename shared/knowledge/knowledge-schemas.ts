import { z } from 'zod';
import { TimestampSchema } from '../api/common-schemas.ts';

/** Upload limit of one file source (the presigned PUT is signed for exactly the declared size). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Text sources are sent inline in the JSON body, which is limited to 64 KB. */
const MAX_TEXT_CHARS = 60_000;

/** File types the extractor reads, by the content type the upload is signed for. */
export const FILE_TYPES = {
  'text/html': 'html',
  'text/markdown': 'markdown',
  'text/plain': 'text',
  'application/pdf': 'pdf',
} as const;
export type FileContentType = keyof typeof FILE_TYPES;

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
/** `*` matches any run of characters; matched against the URL path with its query. */
const pattern = z.string().min(1).max(200);

export const WebsiteSourceSchema = z.strictObject({
  type: z.literal('website'),
  url: httpUrl.describe('Start page; the crawl stays on this host.'),
  include: z.array(pattern).max(20).optional().describe('Only paths matching one of these (`*` wildcard).'),
  exclude: z.array(pattern).max(20).optional().describe('Never paths matching one of these.'),
  maxPages: z.number().int().min(1).max(10_000).default(500),
  maxDepth: z.number().int().min(0).max(20).default(5),
});

export const SitemapSourceSchema = z.strictObject({
  type: z.literal('sitemap'),
  url: httpUrl.describe('A sitemap.xml (or sitemap index); its pages are fetched, links are not followed.'),
  maxPages: z.number().int().min(1).max(10_000).default(2_000),
});

export const TextSourceSchema = z.strictObject({
  type: z.literal('text'),
  title: z.string().trim().min(1).max(200),
  content: z.string().min(1).max(MAX_TEXT_CHARS),
});

export const FileSourceSchema = z.strictObject({
  type: z.literal('file'),
  fileName: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/, 'a file name without folders'),
  contentType: z.enum(Object.keys(FILE_TYPES) as [FileContentType, ...FileContentType[]], {
    error: `unsupported file type; use one of ${Object.keys(FILE_TYPES).join(', ')}`,
  }),
  sizeBytes: z
    .number()
    .int()
    .min(1)
    .max(MAX_FILE_BYTES, `files are limited to ${MAX_FILE_BYTES / 1024 / 1024} MB`),
});

export const SourceInputSchema = z.discriminatedUnion('type', [
  WebsiteSourceSchema,
  SitemapSourceSchema,
  TextSourceSchema,
  FileSourceSchema,
]);
export type SourceInput = z.output<typeof SourceInputSchema>;
/** A stored source: the input plus its id (file sources: where the upload lands). */
export type KnowledgeSource = SourceInput & { id: string };

export const REFRESH_MODES = ['manual', 'daily', 'weekly'] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];

export const CreateKnowledgeBaseBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  sources: z.array(SourceInputSchema).max(50).default([]),
  refresh: z.enum(REFRESH_MODES).default('manual'),
});

export const UpdateKnowledgeBaseBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    sources: z.array(SourceInputSchema).max(50).optional().describe('Replaces the whole list.'),
    refresh: z.enum(REFRESH_MODES).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');

export const SYNC_STATUSES = ['running', 'indexing', 'completed', 'completed_with_errors', 'failed'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

const StoredSourceSchema = z.union([
  WebsiteSourceSchema.extend({ id: z.string() }),
  SitemapSourceSchema.extend({ id: z.string() }),
  TextSourceSchema.extend({ id: z.string() }),
  FileSourceSchema.extend({
    id: z.string(),
    uploaded: z.boolean().describe('The file was PUT to its upload URL.'),
  }),
]);

export const KnowledgeBaseSchema = z.strictObject({
  id: z.string().describe('`kb_…`'),
  name: z.string(),
  sources: z.array(StoredSourceSchema),
  refresh: z.enum(REFRESH_MODES),
  indexVersion: z
    .number()
    .int()
    .nullable()
    .describe('The published index version searches use; null before the first sync.'),
  documentCount: z.number().int(),
  chunkCount: z.number().int(),
  lastSyncId: z.string().nullable(),
  lastSyncStatus: z.enum(SYNC_STATUSES).nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const UploadSchema = z.strictObject({
  sourceId: z.string(),
  method: z.literal('PUT'),
  url: z.string().describe('Presigned S3 URL; PUT the file body with exactly these headers.'),
  headers: z.record(z.string(), z.string()),
  expiresAt: TimestampSchema,
});

export const SyncErrorSchema = z.strictObject({ url: z.string(), code: z.string(), message: z.string() });

export const SyncSchema = z.strictObject({
  id: z.string().describe('`sync_…`'),
  knowledgeBaseId: z.string(),
  status: z.enum(SYNC_STATUSES),
  trigger: z.enum(['api', 'schedule']),
  pagesDiscovered: z.number().int(),
  fetched: z.number().int().describe('Pages fetched with new or changed content.'),
  unchanged: z.number().int().describe('Pages whose content did not change (304 or same hash).'),
  failed: z.number().int(),
  skipped: z.number().int().describe('Robots-disallowed, duplicate, too large, not text, redirect loops.'),
  chunks: z.number().int().describe('Chunks of the documents this sync indexed.'),
  embedded: z.number().int().describe('Chunks embedded by this sync (0 when nothing changed).'),
  percent: z.number().min(0).max(100),
  etaSeconds: z.number().int().nullable(),
  indexVersion: z.number().int().nullable(),
  startedAt: TimestampSchema,
  finishedAt: TimestampSchema.nullable(),
  errors: z.array(SyncErrorSchema).describe('Failed and skipped pages with the reason (first 100).'),
});

export const DocumentSchema = z.strictObject({
  url: z.string(),
  title: z.string().nullable(),
  status: z.enum(['indexed', 'removed']),
  lastFetchedAt: TimestampSchema.nullable(),
  contentHash: z.string().nullable(),
  chunkCount: z.number().int(),
  error: z.string().nullable(),
});

export const SearchBodySchema = z.strictObject({
  query: z.string().trim().min(1).max(1000),
  topK: z.number().int().min(1).max(20).default(5),
});

export const SearchResultSchema = z.strictObject({
  text: z.string(),
  url: z.string(),
  title: z.string(),
  score: z.number(),
});
