type JsonObject = Record<string, unknown>;

/**
 * Every field of the document that a reader would see without a description: properties of
 * component schemas (nested objects and array items included) and parameters, as dotted paths.
 */
export function undescribedFields(document: JsonObject): string[] {
  const missing: string[] = [];
  const visit = (schema: JsonObject | undefined, path: string) => {
    if (!schema || typeof schema !== 'object') return;
    for (const variant of [
      ...((schema.anyOf ?? []) as JsonObject[]),
      ...((schema.oneOf ?? []) as JsonObject[]),
    ])
      visit(variant, path);
    if (schema.items) visit(schema.items as JsonObject, `${path}[]`);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
      visit(schema.additionalProperties as JsonObject, `${path}.*`);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonObject>)) {
      if (!property.description && !property.$ref) missing.push(`${path}.${name}`);
      visit(property, `${path}.${name}`);
    }
  };
  const schemas = ((document.components as JsonObject | undefined)?.schemas ?? {}) as Record<
    string,
    JsonObject
  >;
  for (const [name, schema] of Object.entries(schemas)) visit(schema, name);
  for (const [path, item] of Object.entries(
    (document.paths ?? {}) as Record<string, Record<string, JsonObject>>,
  )) {
    for (const [method, operation] of Object.entries(item)) {
      for (const parameter of (operation.parameters ?? []) as JsonObject[]) {
        if (parameter.in !== 'path' && !parameter.description)
          missing.push(`${method.toUpperCase()} ${path} ?${String(parameter.name)}`);
      }
    }
  }
  return missing;
}
