/**
 * `{{name}}` placeholders in an agent's instructions and greeting, filled per call from the
 * contact's variables (over the campaign's). Names are identifiers; anything else between braces
 * is left alone, so text that merely looks like a template is never mangled.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}/g;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The distinct placeholder names used in some texts, in order of first use. */
export function placeholdersIn(...texts: (string | undefined)[]): string[] {
  const names = new Set<string>();
  for (const text of texts)
    for (const match of (text ?? '').matchAll(PLACEHOLDER)) names.add(match[1] as string);
  return [...names];
}

/** `text` with each known placeholder replaced by its value; unknown ones are kept as written. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? (values[name] as string) : whole,
  );
}

/** What the campaign knows about variables: the names a contact may set and those it must. */
export interface VariableRules {
  /** Names a contact may carry: the campaign's own plus the agent's placeholders. */
  known: readonly string[];
  /** Placeholders with no campaign value: every contact must bring them. */
  required: readonly string[];
}

export function variableRules(
  placeholders: readonly string[],
  campaignValues: Readonly<Record<string, string>>,
): VariableRules {
  const known = [...new Set([...placeholders, ...Object.keys(campaignValues)])];
  return { known, required: placeholders.filter((name) => !Object.hasOwn(campaignValues, name)) };
}

/** The first problem with a contact's variables, or undefined. */
export function variablesProblem(
  variables: Readonly<Record<string, string>>,
  rules: VariableRules,
): string | undefined {
  for (const name of Object.keys(variables)) {
    if (!rules.known.includes(name)) return `unknown variable ${name}`;
  }
  for (const name of rules.required) {
    if (!variables[name]) return `missing variable ${name}`;
  }
  return undefined;
}
