// Public surface of @strata/db: Prisma 7 tooling that needs no native engine.
//   applyMigrations  - `prisma migrate deploy` via the wasm schema engine (SQL fallback)
//   createMigration  - `prisma migrate dev --create-only` equivalent
//   generateClient   - `prisma generate` without downloading engines
//   prismaAdapter    - PrismaPg driver adapter pinned to a subgraph's Postgres schema
export * from './types.ts';
export { applyMigrations, MigrationFailedError } from './migrate.ts';
export { createMigration } from './create-migration.ts';
export { generateClient, type GenerateOptions } from './generate.ts';
export { prismaAdapter, type PrismaAdapterOptions } from './client.ts';
export { migrationChecksum } from './migrations-dir.ts';
