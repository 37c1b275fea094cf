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
  type: z.literal('website').describe('`website`: crawl pages by following links from `url`.'),
  url: httpUrl.describe('Start page; the crawl stays on this host.'),
  include: z.array(pattern).max(20).optional().describe('Only paths matching one of these (`*` wildcard).'),
  exclude: z.array(pattern).max(20).optional().describe('Never paths matching one of these.'),
  maxPages: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(500)
    .describe('Most pages fetched per sync (1–10,000; default 500).'),
  maxDepth: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(5)
    .describe('Most links followed from the start page (0 = the start page only; default 5).'),
});

export const SitemapSourceSchema = z.strictObject({
  type: z.literal('sitemap').describe('`sitemap`: fetch the pages a sitemap lists.'),
  url: httpUrl.describe('A sitemap.xml (or sitemap index); its pages are fetched, links are not followed.'),
  maxPages: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(2_000)
    .describe('Most pages fetched per sync (1–10,000; default 2,000).'),
});

export const TextSourceSchema = z.strictObject({
  type: z.literal('text').describe('`text`: a document given inline.'),
  title: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('Shown as the source of search results (1–200 characters).'),
  content: z
    .string()
    .min(1)
    .max(MAX_TEXT_CHARS)
    .describe('The document text, plain or Markdown (up to 60,000 characters).'),
});

export const FileSourceSchema = z.strictObject({
  type: z.literal('file').describe('`file`: a document uploaded to a presigned URL after the request.'),
  fileName: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/, 'a file name without folders')
    .describe('The file name without folders, shown as the source of search results.'),
  contentType: z
    .enum(Object.keys(FILE_TYPES) as [FileContentType, ...FileContentType[]], {
      error: `unsupported file type; use one of ${Object.keys(FILE_TYPES).join(', ')}`,
    })
    .describe(
      '`text/html`, `text/markdown`, `text/plain` or `application/pdf`; the upload is signed for it.',
    ),
  sizeBytes: z
    .number()
    .int()
    .min(1)
    .max(MAX_FILE_BYTES, `files are limited to ${MAX_FILE_BYTES / 1024 / 1024} MB`)
    .describe('Exact size of the file in bytes (up to 20 MB); the upload is signed for it.'),
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

const REFRESH_DESCRIPTION =
  'When sources are synced again: `manual` (only on `POST …/sync`), `daily` or `weekly`.';

export const CreateKnowledgeBaseBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('A name for people (1–200 characters).'),
  sources: z
    .array(SourceInputSchema)
    .max(50)
    .default([])
    .describe('Where the documents come from: websites, sitemaps, inline text, files (up to 50).'),
  refresh: z.enum(REFRESH_MODES).default('manual').describe(`${REFRESH_DESCRIPTION} Default \`manual\`.`),
});

export const UpdateKnowledgeBaseBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional().describe('A new name (1–200 characters).'),
    sources: z.array(SourceInputSchema).max(50).optional().describe('Replaces the whole list.'),
    refresh: z.enum(REFRESH_MODES).optional().describe(REFRESH_DESCRIPTION),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');

export const SYNC_STATUSES = ['running', 'indexing', 'completed', 'completed_with_errors', 'failed'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

const SOURCE_ID = z.string().describe('`src_…`: the source, as documents and uploads name it.');

const StoredSourceSchema = z.union([
  WebsiteSourceSchema.extend({ id: SOURCE_ID }),
  SitemapSourceSchema.extend({ id: SOURCE_ID }),
  TextSourceSchema.extend({ id: SOURCE_ID }),
  FileSourceSchema.extend({
    id: SOURCE_ID,
    uploaded: z.boolean().describe('The file was PUT to its upload URL.'),
  }),
]);

export const KnowledgeBaseSchema = z.strictObject({
  id: z.string().describe('`kb_…`'),
  name: z.string().describe('The name people know it by.'),
  sources: z.array(StoredSourceSchema).describe('Where its documents come from, each with its id.'),
  refresh: z.enum(REFRESH_MODES).describe(REFRESH_DESCRIPTION),
  indexVersion: z
    .number()
    .int()
    .nullable()
    .describe('The published index version searches use; null before the first sync.'),
  documentCount: z.number().int().describe('Documents in the published index.'),
  chunkCount: z.number().int().describe('Searchable passages (chunks) in the published index.'),
  lastSyncId: z.string().nullable().describe('`sync_…` of the latest sync; null before the first.'),
  lastSyncStatus: z
    .enum(SYNC_STATUSES)
    .nullable()
    .describe('Status of the latest sync; null before the first.'),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});

export const UploadSchema = z.strictObject({
  sourceId: z.string().describe('`src_…`: the file source this upload is for.'),
  method: z.literal('PUT').describe('Always `PUT`.'),
  url: z.string().describe('Presigned S3 URL; PUT the file body with exactly these headers.'),
  headers: z
    .record(z.string(), z.string())
    .describe('Headers the PUT must send, exactly (content type and length).'),
  expiresAt: TimestampSchema,
});

export const SyncErrorSchema = z.strictObject({
  url: z.string().describe('The page or file that failed or was skipped.'),
  code: z.string().describe('Why, as a stable code (e.g. `http_404`, `timeout`, `too_large`).'),
  message: z.string().describe('Why, in words.'),
});

export const SyncSchema = z.strictObject({
  id: z.string().describe('`sync_…`'),
  knowledgeBaseId: z.string().describe('`kb_…`: the knowledge base being synced.'),
  status: z
    .enum(SYNC_STATUSES)
    .describe('`running` (fetching), `indexing`, then `completed`, `completed_with_errors` or `failed`.'),
  trigger: z
    .enum(['api', 'schedule'])
    .describe('`api` (a `POST …/sync`) or `schedule` (the refresh setting).'),
  pagesDiscovered: z.number().int().describe('Pages and files found so far (fetched or still to fetch).'),
  fetched: z.number().int().describe('Pages fetched with new or changed content.'),
  unchanged: z.number().int().describe('Pages whose content did not change (304 or same hash).'),
  failed: z.number().int().describe('Pages that could not be fetched or read (see `errors`).'),
  skipped: z.number().int().describe('Robots-disallowed, duplicate, too large, not text, redirect loops.'),
  chunks: z.number().int().describe('Chunks of the documents this sync indexed.'),
  embedded: z.number().int().describe('Chunks embedded by this sync (0 when nothing changed).'),
  percent: z.number().min(0).max(100).describe('Progress, 0–100.'),
  etaSeconds: z
    .number()
    .int()
    .nullable()
    .describe('Estimated seconds left; null until it can be estimated or once finished.'),
  indexVersion: z
    .number()
    .int()
    .nullable()
    .describe('The index version this sync published; null until it has.'),
  startedAt: TimestampSchema,
  finishedAt: TimestampSchema.nullable().describe('When the sync finished; null while it runs.'),
  errors: z.array(SyncErrorSchema).describe('Failed and skipped pages with the reason (first 100).'),
});

export const DocumentSchema = z.strictObject({
  url: z.string().describe('Where the document came from (a page URL, or the source of a file or text).'),
  title: z
    .string()
    .nullable()
    .describe('Its title (the page `<title>`, the text source title); null when it has none.'),
  status: z
    .enum(['indexed', 'removed'])
    .describe('`indexed`, or `removed` (gone from its source; no longer searched).'),
  lastFetchedAt: TimestampSchema.nullable().describe('When it was last fetched; null if never.'),
  contentHash: z
    .string()
    .nullable()
    .describe('SHA-256 of its text (hex): an unchanged hash is not embedded again.'),
  chunkCount: z.number().int().describe('Searchable passages (chunks) made from it.'),
  error: z.string().nullable().describe('Why the last fetch failed; null when it did not.'),
});

export const SearchBodySchema = z.strictObject({
  query: z.string().trim().min(1).max(1000).describe('What to look for, in words (1–1,000 characters).'),
  topK: z.number().int().min(1).max(20).default(5).describe('How many passages to return (1–20; default 5).'),
});

export const SearchResultSchema = z.strictObject({
  text: z.string().describe('The passage, as the agent would read it.'),
  url: z.string().describe('The document it comes from.'),
  title: z.string().describe("The document's title."),
  score: z
    .number()
    .describe('Relevance (reciprocal-rank fusion of keyword and vector search); higher is better.'),
});
