import { ValidationError } from '../errors/app-error.ts';
import type { FieldIssue } from '../errors/zod-error.ts';
import { type OutboundPolicy, refusedUrl } from './outbound-target.ts';

/** The URLs a request saves that the platform will later call: tools' and webhooks'. */
export interface SavedTargets {
  /** An array of tools with `url` (other shapes are the schema's to refuse). */
  tools?: unknown;
  webhookUrl?: unknown;
}

/**
 * Refuses, at save time, URLs the outbound-target policy would refuse when called (IP literals
 * in any spelling, metadata names, schemes, credentials): a 400 `validation_error` naming each
 * field, e.g. `tools.0.url`. Names are resolved only when called, and checked again then.
 */
export function assertAllowedTargets(fields: SavedTargets, policy: OutboundPolicy): void {
  const issues: FieldIssue[] = [];
  const check = (path: string, url: unknown) => {
    const refused = typeof url === 'string' && url ? refusedUrl(url, policy) : undefined;
    if (refused) issues.push({ path, message: `This address is not allowed (${refused}).` });
  };
  if (Array.isArray(fields.tools)) {
    fields.tools.forEach((tool: unknown, index) => {
      check(`tools.${index}.url`, (tool as { url?: unknown } | null)?.url);
    });
  }
  check('webhookUrl', fields.webhookUrl);
  if (issues.length > 0) {
    throw new ValidationError('A URL points at an address the platform does not call.', { details: issues });
  }
}
