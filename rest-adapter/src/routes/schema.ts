// The kind schema over REST (docs/rest.md): GET /api/schema, GET /api/schema/{kind},
// POST /api/schema/load — all through the supergraph (inventory's kind_list, kind_definition,
// schema_load).
import { z } from 'zod';
import { RestError } from '../errors.ts';
import { operation } from '../queries/index.ts';
import { defineRoute } from './types.ts';

const KindSchema = z
  .object({
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
    label: z.string(),
    description: z.string().nullable(),
    graphql_type: z.string(),
    query_field: z.string(),
    inherit_from: z.array(z.string()),
    uniqueness_constraints: z.array(z.array(z.string())),
    attributes: z.array(
      z.object({ name: z.string(), kind: z.string(), label: z.string(), optional: z.boolean(), unique: z.boolean(), default_value: z.unknown(), choices: z.array(z.string()) }),
    ),
    relationships: z.array(z.object({ name: z.string(), peer: z.string(), cardinality: z.string(), optional: z.boolean(), inverse: z.string().nullable() })),
  })
  .describe('A kind: its attributes and relationships');

const SchemaListSchema = z.object({ nodes: z.array(KindSchema) });
const LoadBody = z.object({ schemas: z.array(z.unknown()).min(1) }).describe('Schema documents (YAML text or JSON objects)');
const LoadResult = z.object({ hash: z.string(), changed: z.boolean(), kinds: z.array(z.string()) });

export const schemaListRoute = defineRoute({
  method: 'get',
  path: '/api/schema',
  operationId: 'schema_list',
  summary: 'All kinds in force',
  tags: ['schema'],
  response: { description: 'The kinds', schema: SchemaListSchema, schemaName: 'SchemaList' },
  async handler({ supergraph }) {
    const data = await supergraph.request<{ kind_list: z.infer<typeof KindSchema>[] }>(operation('schema-list'));
    return { body: { nodes: data.kind_list } };
  },
});

export const schemaKindRoute = defineRoute({
  method: 'get',
  path: '/api/schema/{kind}',
  operationId: 'schema_kind',
  summary: 'One kind',
  tags: ['schema'],
  pathParams: { kind: { description: 'the kind (DcimSite), its name (Site) or GraphQL type (SiteType)', required: true } },
  response: { description: 'The kind', schema: KindSchema, schemaName: 'KindDefinition' },
  errors: [404],
  async handler({ supergraph, params }) {
    const data = await supergraph.request<{ kind_definition: z.infer<typeof KindSchema> }>(operation('schema-kind'), { name: params.kind });
    return { body: data.kind_definition };
  },
});

export const schemaLoadRoute = defineRoute({
  method: 'post',
  path: '/api/schema/load',
  operationId: 'schema_load',
  summary: 'Load schema files',
  description: 'Validates, stores and applies schema documents; the supergraph serves new kinds without a restart. Admins only.',
  tags: ['schema'],
  body: { kind: 'json', description: 'Schema documents', schema: LoadBody, schemaName: 'SchemaLoad', required: true },
  response: { description: 'The schema in force', schema: LoadResult, schemaName: 'SchemaLoadResult' },
  errors: [422],
  async handler({ supergraph, body }) {
    const parsed = LoadBody.safeParse(body);
    if (!parsed.success) throw new RestError(400, 'Body must be {"schemas": [ ... ]} with at least one schema');
    const data = await supergraph.request<{ schema_load: z.infer<typeof LoadResult> }>(operation('schema-load'), { schemas: parsed.data.schemas });
    return { body: data.schema_load };
  },
});
