// Types shared by the @strata/db modules (public boundary of the package).

/** Minimal logger: pino's Logger satisfies it; `console` works too. */
export interface MigrationLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface ApplyMigrationsOptions {
  /** Folder holding `schema.prisma` and `migrations/` (e.g. `subgraphs/auth/prisma`). */
  prismaDir: string;
  /** Postgres connection string (without `?schema=`). */
  url: string;
  /** Postgres schema the subgraph owns; created if missing; `_prisma_migrations` lives there. */
  schema: string;
  logger?: MigrationLogger;
}

export interface ApplyMigrationsResult {
  /** Migration folder names applied by this call (empty when already up to date). */
  applied: string[];
  /** `wasm`: Prisma's schema engine (primary); `fallback`: plain SQL runner. */
  route: 'wasm' | 'fallback';
}

export interface CreateMigrationOptions {
  prismaDir: string;
  /** Migration name, e.g. `init` or `add_devices` (lowercase letters, digits, `_`). */
  name: string;
  logger?: MigrationLogger;
  /** Clock for the folder timestamp (tests). */
  now?: Date;
}

export interface CreateMigrationResult {
  /** Absolute path of the new migration folder, or null when the schema has no changes. */
  dir: string | null;
  sql: string;
}
