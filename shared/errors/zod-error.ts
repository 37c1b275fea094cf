import type { z } from 'zod';
import { ValidationError } from './app-error.ts';

export interface FieldIssue {
  path: string;
  message: string;
}

/** Flattens zod issues into `{path, message}` pairs that are safe to show to API clients. */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses with a zod schema, turning a failure into a ValidationError with field details. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ValidationError(`The ${what} is invalid.`, { details: issuesOf(result.error) });
  }
  return result.data;
}
