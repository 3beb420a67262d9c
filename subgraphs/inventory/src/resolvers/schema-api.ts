// Schema introspection for users (`kind_list`, `kind_definition`, i.e. /api/schema) and run-time
// schema loading (`schema_load`, i.e. POST /api/schema/load).
import { errors, type SubgraphContext } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import { parseSchemaFile, validateSchemaDocument } from '../model/load.ts';
import type { SourceFile } from '../model/kinds.ts';

export interface SchemaLoader {
  /** validates, stores and applies new user schema files; returns the new hash */
  load(files: SourceFile[], author: string | null): Promise<{ hash: string; changed: boolean; kinds: string[] }>;
}

export function kindDefinition(k: Kind) {
  return {
    kind: k.kind,
    namespace: k.namespace,
    name: k.name,
    label: k.label,
    description: k.description ?? null,
    graphql_type: k.typeName,
    query_field: k.field,
    inherit_from: k.inherits,
    uniqueness_constraints: k.uniqueSets,
    attributes: k.attributes.map((a) => ({
      name: a.name,
      kind: a.kind,
      label: a.label,
      optional: a.optional,
      unique: a.unique,
      default_value: a.default ?? null,
      choices: a.choices.map((c) => c.value),
    })),
    relationships: k.relationships.map((r) => ({ name: r.name, peer: r.peer, cardinality: r.cardinality, optional: r.optional, inverse: r.inverse ?? null })),
  };
}

export function schemaApiResolvers(schema: CompiledSchema, loader: SchemaLoader) {
  return {
    Query: {
      kind_list: () => [...schema.kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind)).map(kindDefinition),
      kind_definition: (_p: unknown, args: { name: string }) => {
        const k = schema.kinds.get(args.name) ?? [...schema.kinds.values()].find((x) => x.name === args.name || x.typeName === args.name);
        if (!k) throw errors.notFound('Node not found', { kind: args.name });
        return kindDefinition(k);
      },
    },
    Mutation: {
      schema_load: async (_p: unknown, args: { schemas: unknown[] }, c: SubgraphContext) => {
        if (!c.ctx.user) throw errors.unauthenticated();
        if (!c.ctx.user.roles.includes('admin')) throw errors.forbidden('Only admins may load schemas');
        if (c.ctx.branch !== 'main') throw errors.badInput('Schemas are loaded on main');
        if (c.ctx.at) throw errors.badInput('Writes with at are refused');
        if (!args.schemas.length) throw errors.badInput('schemas is empty');
        const files = args.schemas.map((doc, i) => {
          const name = `upload ${i + 1}`;
          try {
            const f = typeof doc === 'string' ? parseSchemaFile(name, doc) : validateSchemaDocument(name, doc);
            return { ...f, path: `user:${f.content.namespace}` };
          } catch (err) {
            throw errors.validation((err as Error).message, { problems: (err as { problems?: unknown }).problems });
          }
        });
        return loader.load(files, c.ctx.user.username);
      },
    },
  };
}
