import { z } from 'zod';
import { STATUS_BY_CODE } from '../../errors/app-error.ts';
import { ERROR_DESCRIPTIONS } from '../error-codes.ts';
import { type ApiOperation, NAMED_MODELS, OPERATIONS } from './operations.ts';

type JsonObject = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pascal = (id: string) => id[0]?.toUpperCase() + id.slice(1);

/** `$schema`/`$id` belong to standalone JSON Schemas, not to OpenAPI components. */
function clean(schema: unknown): JsonObject {
  const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
  return rest;
}

/**
 * Converts every request body (as input: defaults make fields optional) and every response (as
 * output) to JSON Schema 2020-12, OpenAPI 3.1's dialect. Schemas registered under a name become
 * components, and zod emits `$ref`s to them wherever they are nested.
 */
function buildComponents(operations: readonly ApiOperation[]): JsonObject {
  const inputs = z.registry<{ id: string }>();
  const outputs = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(NAMED_MODELS)) outputs.add(schema, { id: name });
  for (const op of operations) {
    if (op.body) inputs.add(op.body, { id: `${pascal(op.operationId)}Request` });
    if (op.success.schema && !outputs.has(op.success.schema)) {
      outputs.add(op.success.schema, { id: `${pascal(op.operationId)}Response` });
    }
  }
  const uri = (id: string) => `#/components/schemas/${id}`;
  const convert = (registry: typeof inputs, io: 'input' | 'output') =>
    (z.toJSONSchema(registry, { uri, io, unrepresentable: 'any' }) as { schemas: JsonObject }).schemas;
  const schemas: JsonObject = {};
  for (const [name, schema] of Object.entries({
    ...convert(inputs, 'input'),
    ...convert(outputs, 'output'),
  })) {
    schemas[name] = clean(schema);
  }
  return schemas;
}

function queryParameters(query: z.ZodType | undefined): JsonObject[] {
  if (!query) return [];
  const schema = clean(z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }));
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function operationObject(op: ApiOperation, componentNames: Set<string>): JsonObject {
  const parameters: JsonObject[] = [];
  for (const match of op.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({
      name: match[1],
      in: 'path',
      required: true,
      description: 'The `id` the resource was created with.',
      schema: { type: 'string' },
    });
  }
  parameters.push(...queryParameters(op.query));
  if (op.idempotent) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Any unique string (a UUID): a retry with the same key and body returns the first result, with `idempotent-replayed: true`, instead of acting twice. Kept 24 hours.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  const requestIdHeader = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };
  const successName = Object.entries(NAMED_MODELS).find(([, s]) => s === op.success.schema)?.[0];
  const responseName = successName ?? `${pascal(op.operationId)}Response`;
  const responses: JsonObject = {
    [String(op.success.status)]: {
      description: op.success.description,
      headers: requestIdHeader,
      ...(op.success.schema && componentNames.has(responseName)
        ? { content: { 'application/json': { schema: ref(responseName) } } }
        : op.success.contentType
          ? { content: { [op.success.contentType]: { schema: { type: 'string' } } } }
          : op.success.status === 204
            ? {}
            : { content: { 'application/json': { schema: { type: 'object' } } } }),
    },
  };
  for (const code of [...new Set(op.errors)]) {
    responses[String(STATUS_BY_CODE[code])] = {
      description: `\`${code}\`: ${ERROR_DESCRIPTIONS[code]}`,
      headers:
        code === 'rate_limited'
          ? { ...requestIdHeader, 'retry-after': { $ref: '#/components/headers/RetryAfter' } }
          : requestIdHeader,
      content: { 'application/json': { schema: ref('Error') } },
    };
  }
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: op.auth === 'none' ? [] : [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    ...(op.auth === 'admin' ? { 'x-auth': 'platform admin key' } : {}),
    // Only the elevated class a key can hold is documented (no key is an owner; `read` on a POST
    // just lets viewers manage their own sign-in).
    ...(op.scope === 'admin' ? { 'x-scope': op.scope } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(`${pascal(op.operationId)}Request`) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the REST API, generated from the schemas the handlers validate with. */
export function buildOpenApiDocument(options: { serverUrl?: string; version?: string } = {}): JsonObject {
  const schemas = buildComponents(OPERATIONS);
  const names = new Set(Object.keys(schemas));
  const paths: Record<string, JsonObject> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    (paths[op.path] as JsonObject)[op.method.toLowerCase()] = operationObject(op, names);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ai-caller API',
      version: options.version ?? '1.0.0',
      description:
        'Control plane of ai-caller: tenants, API keys, agents, phone numbers and calls. JSON everywhere; errors are `{"error":{code,message,details?,requestId}}`; lists are `{items,nextCursor}` with `?limit=` (1-100, default 20) and `?cursor=`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [...new Set(OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <api key>`' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      headers: {
        RequestId: { description: 'Identifies the request in logs.', schema: { type: 'string' } },
        RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
      },
    },
  };
}
