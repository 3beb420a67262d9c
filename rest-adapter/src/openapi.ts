// OpenAPI 3.1 document generated from the route table (docs/rest.md: /api/openapi.json).
// JSON Schemas come from the routes' zod schemas (zod 4 emits JSON Schema 2020-12, the
// dialect of OpenAPI 3.1); shared pieces (error body, branch/at parameters, credentials) live
// under components.
import { z } from 'zod';
import { VERSION } from '@strata/shared';
import type { ParamDef, RouteDef } from './routes/types.ts';

type Json = Record<string, unknown>;

const ERROR_STATUS_TEXT: Record<number, string> = {
  400: 'Bad request (invalid input or malformed JSON)',
  401: 'Missing or invalid credentials',
  403: 'Not allowed for this user',
  404: 'Not found (or unknown branch)',
  405: 'Method not allowed',
  409: 'Conflict or uniqueness violation',
  413: 'Request body too large',
  422: 'Validation error',
  500: 'Internal server error',
  503: 'The API is temporarily unavailable',
};

const pascal = (s: string) => s.replace(/(^|[_\-\s])(\w)/g, (_m, _sep: string, c: string) => c.toUpperCase());

/** JSON Schema for an OpenAPI 3.1 Schema Object: no `$schema`/`$id` noise. */
function clean(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

function parameter(name: string, where: 'path' | 'query', def: ParamDef): Json {
  return {
    name,
    in: where,
    required: where === 'path' ? true : (def.required ?? false),
    description: def.description,
    schema: def.schema ?? { type: 'string' },
  };
}

export function buildOpenApi(routes: RouteDef[]): Json {
  const registry = z.registry<{ id: string }>();
  const refOf = new Map<z.ZodType, string>();
  const register = (schema: z.ZodType, id: string) => {
    if (refOf.has(schema)) return refOf.get(schema)!;
    registry.add(schema, { id });
    refOf.set(schema, id);
    return id;
  };
  const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const status = String(r.response.status ?? 200);
    const response: Json = { description: r.response.description };
    if (r.response.schema) {
      const id = register(r.response.schema, r.response.schemaName ?? pascal(r.operationId));
      response.content = { 'application/json': { schema: ref(id) } };
    } else if (r.response.contentType) {
      response.content = { [r.response.contentType]: { schema: { type: 'string', format: 'binary' } } };
    }
    const responses: Json = { [status]: response };
    const errorStatuses = new Set([400, ...(r.authenticated === false ? [] : [401, 403]), ...(r.errors ?? []), 500]);
    if (r.branchAware) errorStatuses.add(404);
    for (const s of [...errorStatuses].sort((a, b) => a - b)) {
      responses[String(s)] = { $ref: `#/components/responses/Error${s}` };
    }

    const parameters: Json[] = [
      ...Object.entries(r.pathParams ?? {}).map(([n, d]) => parameter(n, 'path', d)),
      ...Object.entries(r.queryParams ?? {}).map(([n, d]) => parameter(n, 'query', d)),
      ...(r.branchAware ? [{ $ref: '#/components/parameters/branch' }, { $ref: '#/components/parameters/at' }] : []),
    ];

    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      ...(parameters.length ? { parameters } : {}),
      responses,
      ...(r.authenticated === false ? { security: [] } : {}),
    };
    if (r.body) {
      if (r.body.kind === 'json') {
        const schema = r.body.schema ? ref(register(r.body.schema, r.body.schemaName ?? `${pascal(r.operationId)}Request`)) : {};
        op.requestBody = { required: r.body.required ?? true, description: r.body.description, content: { 'application/json': { schema } } };
      } else {
        op.requestBody = { required: true, description: r.body.description, content: { [r.body.contentType]: { schema: { type: 'string', format: 'binary' } } } };
      }
    }
    (paths[r.path] ??= {})[r.method] = op;
  }

  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, target: 'draft-2020-12', io: 'input' }) as {
    schemas: Record<string, Json>;
  };
  const schemas: Record<string, Json> = {
    Errors: {
      type: 'object',
      description: 'Every error answer of the REST API.',
      properties: { errors: { type: 'array', items: { type: 'string' }, description: 'Detailed error messages' } },
      required: ['errors'],
      examples: [{ errors: ['Branch not found: feature-x'] }],
    },
  };
  for (const [id, s] of Object.entries(generated.schemas)) schemas[id] = clean(s);

  const responses: Json = {};
  for (const [s, text] of Object.entries(ERROR_STATUS_TEXT)) {
    responses[`Error${s}`] = { description: text, content: { 'application/json': { schema: { $ref: '#/components/schemas/Errors' } } } };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Strata REST API',
      version: VERSION,
      description:
        'REST endpoints of Strata. Every call goes through the GraphQL supergraph with your credentials. ' +
        'Authenticate with `Authorization: Token <api-token>`, `Authorization: Bearer <jwt-or-api-token>` or `X-API-Key: <api-token>`.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.flatMap((r) => r.tags))].sort().map((name) => ({ name })),
    security: [{ token: [] }, { bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas,
      responses,
      parameters: {
        branch: {
          name: 'branch',
          in: 'query',
          required: false,
          description: 'Branch to read or write (default `main`). Unknown branch: 404.',
          schema: { type: 'string', default: 'main' },
        },
        at: {
          name: 'at',
          in: 'query',
          required: false,
          description: 'Time travel: ISO 8601 instant (`2024-01-15T10:30:00Z`) or relative (`-1h30m`, `-7d`). Reads only.',
          schema: { type: 'string' },
        },
      },
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <api-token>`' },
        bearer: { type: 'http', scheme: 'bearer', description: 'JWT access token or API token' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API token' },
      },
    },
  };
}
