type JsonObject = Record<string, unknown>;

const escapeHtml = (value: unknown): string =>
  String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** Inline `code` spans from the descriptions (the only markdown they use). */
const prose = (text: unknown): string => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const refName = (schema: JsonObject): string | undefined =>
  typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;

/** A short type label: `string (E.164)`, `Call[]`, `"low" | "normal"`, links for named models. */
function typeLabel(schema: JsonObject, models: Set<string>): string {
  const name = refName(schema);
  if (name) return models.has(name) ? `<a href="#model-${name}">${name}</a>` : escapeHtml(name);
  if (Array.isArray(schema.enum))
    return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  const variants = (schema.anyOf ?? schema.oneOf) as JsonObject[] | undefined;
  if (Array.isArray(variants)) return variants.map((s) => typeLabel(s, models)).join(' | ');
  if (schema.type === 'array' && schema.items) return `${typeLabel(schema.items as JsonObject, models)}[]`;
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : String(schema.type ?? 'any');
  const hints: string[] = [];
  if (schema.format) hints.push(String(schema.format));
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    hints.push(`${schema.minimum ?? ''}–${schema.maximum ?? ''}`);
  if (schema.maxLength !== undefined) hints.push(`≤ ${schema.maxLength} chars`);
  if (schema.default !== undefined) hints.push(`default ${JSON.stringify(schema.default)}`);
  return escapeHtml(hints.length ? `${type} (${hints.join(', ')})` : type);
}

/** The object a property holds inline (itself, its array items, or a nullable variant), if any. */
function inlineObject(schema: JsonObject): JsonObject | undefined {
  if (schema.properties) return schema;
  if (schema.items) return inlineObject(schema.items as JsonObject);
  for (const variant of [
    ...((schema.anyOf ?? []) as JsonObject[]),
    ...((schema.oneOf ?? []) as JsonObject[]),
  ]) {
    const found = inlineObject(variant);
    if (found) return found;
  }
  return undefined;
}

/** The field's description; a field holding a named model points to the model's own table. */
function describeField(property: JsonObject, models: Set<string>): string {
  if (property.description) return prose(property.description);
  const name = refName(property);
  return name && models.has(name)
    ? `The ${typeLabel(property, models)} (all its fields are listed under Models).`
    : '';
}

/** One row per field; fields of inline objects (`tools[].url`, `totals.cost.amount`) follow their parent. */
function fieldRows(schema: JsonObject | undefined, models: Set<string>, prefix = ''): string[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(properties).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const nested = inlineObject(property);
    const row = `<tr><td><code>${escapeHtml(path)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${nested ? escapeHtml(property.type === 'array' ? 'object[]' : 'object') : typeLabel(property, models)}</td><td>${describeField(property, models)}</td></tr>`;
    const suffix = property.type === 'array' ? '[].' : '.';
    return nested ? [row, ...fieldRows(nested, models, `${path}${suffix}`)] : [row];
  });
}

function fieldsTable(schema: JsonObject | undefined, models: Set<string>): string {
  const rows = fieldRows(schema, models);
  if (rows.length === 0) return '';
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** An id safe in a URL fragment: `Phone numbers` → `phone-numbers`. */
export const anchorId = (text: unknown): string =>
  String(text ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function curlExample(
  method: string,
  path: string,
  operation: JsonObject,
  body: JsonObject | undefined,
): string {
  const lines = [`curl -X ${method.toUpperCase()} "$API${path.replace('{id}', '<id>')}"`];
  const security = operation.security as unknown[] | undefined;
  if (security && security.length > 0)
    lines.push(`  -H "Authorization: Bearer $${operation['x-auth'] ? 'ADMIN_KEY' : 'KEY'}"`);
  if (body) {
    const required = (body.required ?? []) as string[];
    const sample = Object.fromEntries(required.map((name) => [name, '…']));
    lines.push(`  -H "content-type: application/json" -d '${JSON.stringify(sample)}'`);
  }
  return `<pre>${escapeHtml(lines.join(' \\\n'))}</pre>`;
}

function operationSection(
  path: string,
  method: string,
  operation: JsonObject,
  schemas: Record<string, JsonObject>,
  models: Set<string>,
): string {
  const parts: string[] = [
    `<section class="op" id="${anchorId(operation.operationId)}"><h3><span class="verb ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
    `<p><strong>${prose(operation.summary)}</strong>${operation.description ? ` ${prose(operation.description)}` : ''}</p>`,
  ];
  const auth =
    (operation.security as unknown[]).length === 0
      ? 'none'
      : operation['x-auth']
        ? 'platform admin key'
        : `API key${operation['x-scope'] ? ` with the ${operation['x-scope']} scope` : ''}`;
  parts.push(`<p class="auth">Auth: ${escapeHtml(auth)}</p>`);
  const parameters = (operation.parameters ?? []) as JsonObject[];
  if (parameters.length) {
    const rows = parameters
      .map(
        (p) =>
          `<tr><td><code>${escapeHtml(p.name)}</code> <small>${escapeHtml(p.in)}</small></td><td>${typeLabel(p.schema as JsonObject, models)}</td><td>${prose(p.description)}</td></tr>`,
      )
      .join('');
    parts.push(`<h4>Parameters</h4><table><tbody>${rows}</tbody></table>`);
  }
  const bodyRef = (
    (operation.requestBody as JsonObject | undefined)?.content as Record<string, JsonObject> | undefined
  )?.['application/json']?.schema as JsonObject | undefined;
  const body = bodyRef ? schemas[refName(bodyRef) ?? ''] : undefined;
  if (body) parts.push(`<h4>Body</h4>${fieldsTable(body, models)}`);
  const responses = operation.responses as Record<string, JsonObject>;
  const rows = Object.entries(responses).map(([status, response]) => {
    const schema = ((response.content as Record<string, JsonObject> | undefined)?.['application/json']
      ?.schema ?? undefined) as JsonObject | undefined;
    const name = schema ? refName(schema) : undefined;
    const resolved = name && !models.has(name) ? schemas[name] : undefined;
    const shape = resolved
      ? fieldsTable(resolved, models)
      : name
        ? typeLabel(schema as JsonObject, models)
        : '';
    return `<tr><td>${escapeHtml(status)}</td><td>${prose(response.description)}</td><td>${shape}</td></tr>`;
  });
  parts.push(`<h4>Responses</h4><table><tbody>${rows.join('')}</tbody></table>`);
  parts.push(curlExample(method, path, operation, body));
  parts.push('</section>');
  return parts.join('\n');
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330}main{max-width:980px;margin:0 auto;padding:24px}
nav{background:#1d2330;color:#fff;padding:12px 24px}nav a{color:#9cc3ff;margin-right:14px}h2{border-bottom:2px solid #e3e7ef;padding-top:12px}
.op{border:1px solid #e3e7ef;border-radius:8px;padding:4px 16px;margin:16px 0}table{border-collapse:collapse;width:100%;margin:6px 0}
td,th{border-bottom:1px solid #eef0f5;padding:4px 8px;text-align:left;vertical-align:top}pre{background:#f5f7fb;padding:10px;overflow:auto}
.verb{display:inline-block;min-width:60px;text-align:center;border-radius:4px;color:#fff;font-size:13px;padding:2px 6px}
.get{background:#2f7d32}.post{background:#1565c0}.patch{background:#ef6c00}.delete{background:#c62828}.req{color:#c62828;font-size:12px}
.auth{color:#555;font-size:13px}code{background:#f1f3f8;padding:0 3px;border-radius:3px}`;

/**
 * The API reference as one self-contained HTML page, rendered on the server from the OpenAPI
 * document: no scripts and no CDN, so it works offline and behind strict CSPs.
 */
export function renderDocsPage(document: JsonObject): string {
  const info = document.info as JsonObject;
  const schemas = ((document.components as JsonObject).schemas ?? {}) as Record<string, JsonObject>;
  const models = new Set(Object.keys(schemas).filter((name) => !/(Request|Response)$/.test(name)));
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, JsonObject>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const tag = String((operation.tags as string[])[0]);
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationSection(path, method, operation, schemas, models)]);
    }
  }
  const sections = [...byTag].map(
    ([tag, ops]) => `<h2 id="tag-${anchorId(tag)}">${escapeHtml(tag)}</h2>${ops.join('\n')}`,
  );
  const modelSections = [...models].map(
    (name) => `<section id="model-${name}"><h3>${name}</h3>${fieldsTable(schemas[name], models)}</section>`,
  );
  const nav = [...byTag.keys()]
    .map((tag) => `<a href="#tag-${anchorId(tag)}">${escapeHtml(tag)}</a>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(info.title)} reference</title><style>${STYLE}</style></head><body>
<nav><strong>${escapeHtml(info.title)} ${escapeHtml(info.version)}</strong> &nbsp; ${nav}<a href="#models">Models</a><a href="/v1/openapi.json">openapi.json</a></nav>
<main><h1>${escapeHtml(info.title)}</h1><p>${prose(info.description)}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code> or <code>x-api-key</code>. The examples read <code>$API</code> (this server), <code>$KEY</code> (an API key) and <code>$ADMIN_KEY</code> (the platform admin key), as the README sets them from <code>.local/credentials.json</code>. Every response carries <code>x-request-id</code>; 429 responses carry <code>Retry-After</code>.</p>
${sections.join('\n')}<h2 id="models">Models</h2>${modelSections.join('\n')}</main></body></html>`;
}
