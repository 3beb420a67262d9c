// The inventory subgraph's schema module: SDL generated from the kind schema plus resolvers.
// `printSchemaSdl()` gives the SDL of the built-in schema (used by `pnpm compose`).
import { parse } from 'graphql';
import type { SchemaModule } from '@strata/shared';
import type { CompiledSchema } from '../model/kinds.ts';
import { loadBuiltinSchema } from '../model/load.ts';
import { buildResolvers } from '../resolvers/index.ts';
import { schemaApiResolvers, type SchemaLoader } from '../resolvers/schema-api.ts';
import type { InventoryRuntime } from '../resolvers/request-state.ts';
import { buildSdl } from './sdl.ts';

export { buildSdl };

export function schemaModule(rt: InventoryRuntime, loader: SchemaLoader): SchemaModule {
  const resolvers = buildResolvers(rt) as Record<string, Record<string, unknown>>;
  const api = schemaApiResolvers(rt.schema, loader);
  resolvers.Query = { ...resolvers.Query, ...api.Query };
  resolvers.Mutation = { ...resolvers.Mutation, ...api.Mutation };
  return { typeDefs: parse(buildSdl(rt.schema)), resolvers: resolvers as SchemaModule['resolvers'] };
}

export async function printSchemaSdl(): Promise<string> {
  const { schema } = await loadBuiltinSchema();
  return buildSdl(schema);
}

export type { CompiledSchema };
