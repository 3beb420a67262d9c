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
  /**
   * `auto` (default): wasm engine, fallback runner only if the engine cannot start.
   * `wasm` / `fallback`: force one route. Env STRATA_MIGRATE_ROUTE sets the default.
   */
  route?: 'auto' | 'wasm' | 'fallback';
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
  /**
   * Server for the temporary shadow database used when migrations already exist (default:
   * STRATA_SHADOW_DATABASE_URL, DATABASE_URL, postgresql://postgres@127.0.0.1:5432/postgres).
   */
  shadowDatabaseUrl?: string;
}

export interface CreateMigrationResult {
  /** Absolute path of the new migration folder, or null when the schema has no changes. */
  dir: string | null;
  sql: string;
}
