/**
 * Builds DynamoDB update expressions from plain data, so no adapter concatenates placeholders by
 * hand. Every attribute name goes through a `#name` placeholder (reserved words such as `status`
 * or `type` need one) and every value through a `:value`; a field whose value is `undefined` is
 * left out, as DynamoDB's document client would refuse it.
 */
export interface UpdateSpec {
  /** `SET name = value` per field. */
  set?: Readonly<Record<string, unknown>>;
  /** `SET a.b = value` per field of a map that exists (tenant limits); `undefined` skipped. */
  setIn?: { readonly in: string; readonly values: Readonly<Record<string, unknown>> };
  /** `SET a.b = a.b + n`: adds to numbers nested in a map that exists (call usage totals). */
  increment?: { readonly in: string; readonly by: Readonly<Record<string, number>> };
  /** `ADD name n`: adds to a number, creating it at `n`. */
  add?: Readonly<Record<string, number>>;
  /** `REMOVE name`. */
  remove?: readonly string[];
  /**
   * A condition written with its own `#name` / `:value` placeholders, merged in; a field whose
   * placeholder the condition already uses for something else gets another one.
   */
  condition?: {
    expression: string;
    names?: Readonly<Record<string, string>>;
    values?: Readonly<Record<string, unknown>>;
  };
}

/** The parts of an `UpdateCommand` / transaction `Update` that `buildUpdate` fills. */
export interface UpdateExpressionParts {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The update for `spec`; clauses in SET, ADD, REMOVE order; empty maps are omitted. */
export function buildUpdate(spec: UpdateSpec): UpdateExpressionParts {
  // The condition's placeholders are taken first, so a field's placeholder never overwrites one.
  const names: Record<string, string> = { ...spec.condition?.names };
  const values: Record<string, unknown> = { ...spec.condition?.values };
  const name = (attribute: string) => {
    const placeholder = unused(
      `#${safe(attribute)}`,
      (p) => names[p] === undefined || names[p] === attribute,
    );
    names[placeholder] = attribute;
    return placeholder;
  };
  const value = (key: string, v: unknown) => {
    const placeholder = unused(`:${safe(key)}`, (p) => !(p in values));
    values[placeholder] = v;
    return placeholder;
  };

  const sets: string[] = [];
  for (const [field, v] of Object.entries(spec.set ?? {})) {
    if (v !== undefined) sets.push(`${name(field)} = ${value(field, v)}`);
  }
  if (spec.setIn) {
    // DynamoDB refuses placeholders the expression does not use: name the map only when needed.
    const fields = Object.entries(spec.setIn.values).filter(([, v]) => v !== undefined);
    const map = fields.length ? name(spec.setIn.in) : '';
    for (const [field, v] of fields)
      sets.push(`${map}.${name(field)} = ${value(`${spec.setIn.in}_${field}`, v)}`);
  }
  if (spec.increment) {
    const map = name(spec.increment.in);
    for (const [field, by] of Object.entries(spec.increment.by)) {
      const path = `${map}.${name(field)}`;
      sets.push(`${path} = ${path} + ${value(`${spec.increment.in}_${field}`, by)}`);
    }
  }
  const adds = Object.entries(spec.add ?? {}).map(
    ([field, by]) => `${name(field)} ${value(`add_${field}`, by)}`,
  );
  const removes = (spec.remove ?? []).map(name);

  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ].filter(Boolean);
  if (clauses.length === 0) throw new RangeError('an update needs at least one field');

  return {
    UpdateExpression: clauses.join(' '),
    ...(spec.condition ? { ConditionExpression: spec.condition.expression } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/**
 * `base`, or `base_2`, `base_3`… when `free` says `base` is taken: attribute names that differ only
 * in characters a placeholder cannot hold (`status#a-b`, `status#a_b`) must not share one.
 */
function unused(base: string, free: (placeholder: string) => boolean): string {
  let placeholder = base;
  for (let n = 2; !free(placeholder); n++) placeholder = `${base}_${n}`;
  return placeholder;
}

/** Placeholders allow letters, digits and `_` only. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, '_');
}
