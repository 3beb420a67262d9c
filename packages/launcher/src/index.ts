// Public surface of @strata/launcher: the embedded PostgreSQL and supergraph composition/checks.
// `pnpm start` is main.ts, `pnpm compose` / `pnpm schema:check` is compose.ts.
export { startEmbeddedPostgres, EmbeddedPostgresError, DEFAULT_EMBEDDED_PORT, type EmbeddedPostgresOptions, type RunningEmbeddedPostgres } from './embedded-postgres.ts';
export {
  apiSchemaOf,
  apiSchemaSdl,
  checkRepository,
  composeFromSdls,
  CompositionError,
  evaluateCheck,
  generateSubgraphSdls,
  readSupergraphConfig,
  validateOperations,
  writeComposition,
  type Composed,
  type SubgraphSdl,
  type SupergraphConfig,
} from './supergraph.ts';
export { resolvePorts, serviceEnv, serviceUrls, START_STAGES, type ServiceName } from './services.ts';
