import type { PinnedIndex } from '#shared/knowledge/index/index-cache.ts';
import type { SearchHit } from '#shared/knowledge/index/lance-index.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { RealtimeToolDefinition } from '../session/session-config.ts';
import type { KnowledgeSearch } from './knowledge-search.ts';

export const SEARCH_KNOWLEDGE_TOOL = 'search_knowledge';

/** Roughly 4 characters per token for English text: enough to keep the output in budget. */
const CHARS_PER_TOKEN = 4;
const DEFAULT_TOKEN_BUDGET = 1_200;
const CANDIDATES = 8;

export const SEARCH_KNOWLEDGE_DEFINITION: RealtimeToolDefinition = {
  type: 'function',
  name: SEARCH_KNOWLEDGE_TOOL,
  description:
    "Look up facts in the business's own documentation and website (prices, opening hours, policies, products). Use it before answering any question about the business you are not sure of, and answer only from what it returns.",
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'What to look up, as a short question or keywords.' },
    },
    required: ['query'],
  },
};

/** What the tool gives the model and what the transcript keeps. */
export interface ToolResult {
  output: string;
  transcript: string;
}

/**
 * The passages that fit the token budget, best first, each with its source URL; a passage that
 * does not fit whole is cut at a word boundary (only the first; later ones are dropped).
 */
export function formatResults(
  hits: SearchHit[],
  tokenBudget = DEFAULT_TOKEN_BUDGET,
): { results: { title: string; url: string; text: string }[] } {
  let left = tokenBudget * CHARS_PER_TOKEN;
  const results: { title: string; url: string; text: string }[] = [];
  for (const hit of hits) {
    const overhead = hit.title.length + hit.url.length + 40;
    if (left - overhead < 200) break;
    let text = hit.text;
    if (text.length > left - overhead) {
      const cut = text.lastIndexOf(' ', left - overhead);
      text = `${text.slice(0, cut > 0 ? cut : left - overhead)} …`;
    }
    results.push({ title: hit.title, url: hit.url, text });
    left -= overhead + text.length;
  }
  return { results };
}

/**
 * `search_knowledge {query}` for one call: searches the knowledge-base versions pinned when the
 * call started. Never throws: a failed search is an error the model can explain.
 */
export class SearchKnowledgeTool {
  readonly definition = SEARCH_KNOWLEDGE_DEFINITION;
  private readonly pins: Promise<PinnedIndex[]>;
  private readonly knowledge: KnowledgeSearch;
  private readonly logger: Logger;

  constructor(options: { knowledge: KnowledgeSearch; pins: Promise<PinnedIndex[]>; logger: Logger }) {
    this.knowledge = options.knowledge;
    this.pins = options.pins;
    this.logger = options.logger;
    // Warming failures surface when the tool runs; they must not be unhandled meanwhile.
    this.pins.catch(() => undefined);
  }

  async run(rawArguments: string): Promise<ToolResult> {
    let query = '';
    try {
      const parsed = JSON.parse(rawArguments || '{}') as { query?: unknown };
      if (typeof parsed.query === 'string') query = parsed.query.trim().slice(0, 500);
    } catch {
      // handled below as a missing query
    }
    if (!query) {
      const output = JSON.stringify({ error: 'invalid_arguments', message: 'Pass {"query": "..."}.' });
      return { output, transcript: `search_knowledge → ${output}` };
    }
    const started = Date.now();
    try {
      const hits = await this.knowledge.search(await this.pins, query, CANDIDATES);
      const formatted = formatResults(hits);
      this.logger.info('knowledge searched', {
        results: formatted.results.length,
        durationMs: Date.now() - started,
      });
      const cited = [...new Set(formatted.results.map((r) => r.url))];
      const output = formatted.results.length
        ? JSON.stringify(formatted)
        : JSON.stringify({ results: [], note: 'Nothing found in the knowledge base.' });
      return {
        output,
        transcript: `search_knowledge(${JSON.stringify({ query })}) → sources: ${cited.join(', ') || 'none'}`,
      };
    } catch (error) {
      this.logger.warn('knowledge search failed', { err: error });
      const output = JSON.stringify({ error: 'search_unavailable' });
      return { output, transcript: `search_knowledge(${JSON.stringify({ query })}) → ${output}` };
    }
  }
}
