// applyMigrations: `prisma migrate deploy` for one subgraph schema, without native engines.
// Primary route: Prisma's own schema engine (wasm) over a corrected pg adapter, so advisory
// lock, `_prisma_migrations` bookkeeping and failure handling are Prisma's. If the engine cannot
// start, the fallback runner applies the same folder with the same bookkeeping.
// Force a route with `route` or STRATA_MIGRATE_ROUTE=wasm|fallback (tests, emergencies).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { quoteIdent } from '@strata/shared';
import { EngineStartError, withSchemaEngine, type EngineLogLine } from './engine.ts';
import { applyMigrationsFallback, MigrationFailedError } from './fallback.ts';
import { createMigrationAdapterFactory } from './migration-adapter.ts';
import { readMigrationsList } from './migrations-dir.ts';
import type { ApplyMigrationsOptions, ApplyMigrationsResult, MigrationLogger } from './types.ts';

export { MigrationFailedError };

const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

function validate(opts: ApplyMigrationsOptions): void {
  if (!opts || typeof opts.prismaDir !== 'string' || !opts.prismaDir) throw new TypeError('applyMigrations: prismaDir is required');
  if (typeof opts.url !== 'string' || !/^postgres(ql)?:\/\//.test(opts.url)) {
    throw new TypeError('applyMigrations: url must be a postgresql:// connection string');
  }
  if (typeof opts.schema !== 'string' || !SCHEMA_NAME.test(opts.schema)) {
    throw new TypeError(`applyMigrations: invalid schema name ${JSON.stringify(opts.schema)}`);
  }
}

/** Creates the schema when missing (checks first: CREATE SCHEMA needs CREATE on the database). */
async function ensureSchemaExists(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'strata-migrate' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (!rowCount) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).catch((err: { code?: string }) => {
        // concurrent creators: duplicate schema / unique violation on pg_namespace
        if (err.code !== '42P06' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

function engineLog(logger: MigrationLogger | undefined, schema: string) {
  return (line: EngineLogLine) => {
    const fields = (line.fields ?? {}) as { message?: unknown; migration_name?: unknown };
    const msg = typeof fields.message === 'string' ? fields.message : undefined;
    if (!logger || !msg || line.level !== 'INFO') return;
    const m = /^Applying `(.+)`$/.exec(msg);
    if (m) logger.info(`applying migration ${m[1]} to schema "${schema}"`);
  };
}

function isLockTimeout(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === 'P1002' || (typeof e?.message === 'string' && /advisory lock/i.test(e.message) && /time/i.test(e.message));
}

async function applyWithEngine(opts: ApplyMigrationsOptions, list: Awaited<ReturnType<typeof readMigrationsList>>): Promise<string[]> {
  const schemaFile = path.join(path.resolve(opts.prismaDir), 'schema.prisma');
  const datamodel = await readFile(schemaFile, 'utf8').catch(() => null);
  const migrationsList = list;
  // the engine waits 10 s for the advisory lock; a concurrent deployer may hold it longer
  for (let attempt = 1; ; attempt++) {
    const handle = createMigrationAdapterFactory({ url: opts.url, schema: opts.schema });
    try {
      const out = await withSchemaEngine(
        handle.factory,
        datamodel === null ? undefined : [[schemaFile, datamodel]],
        (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
        engineLog(opts.logger, opts.schema),
      );
      return out.appliedMigrationNames;
    } catch (err) {
      if (attempt < 6 && isLockTimeout(err)) {
        const first = String((err as { message?: unknown }).message ?? err).split('\n')[0];
        opts.logger?.warn(`waiting for another deployer's migration lock (schema "${opts.schema}"): ${first}`);
        continue;
      }
      if (err instanceof EngineStartError) throw err;
      const e = err as { code?: unknown; message?: unknown };
      throw new MigrationFailedError(
        `Applying migrations to schema "${opts.schema}" failed: ${typeof e?.message === 'string' ? e.message : String(err)}`,
        typeof e?.code === 'string' ? e.code : 'P3018',
        { cause: err },
      );
    } finally {
      // releases the session advisory lock held on the engine's connection
      await handle.close();
    }
  }
}

/**
 * Applies `<prismaDir>/migrations/<name>/migration.sql` (in name order) to Postgres schema
 * `schema` like `prisma migrate deploy`. Idempotent; concurrent callers serialize on Prisma's
 * advisory lock. Throws when a migration fails (it is recorded and refused on later runs).
 */
export async function applyMigrations(opts: ApplyMigrationsOptions): Promise<ApplyMigrationsResult> {
  validate(opts);
  const list = await readMigrationsList(opts.prismaDir);
  const unreadable = list.migrationDirectories.find((d) => d.migrationFile.content.tag === 'error');
  if (unreadable) {
    throw new MigrationFailedError(`Migration folder ${unreadable.path} has no readable migration.sql (${String(unreadable.migrationFile.content.value)})`, 'P3015');
  }
  await ensureSchemaExists(opts.url, opts.schema);

  const route = opts.route ?? process.env.STRATA_MIGRATE_ROUTE ?? 'auto';
  if (!['auto', 'wasm', 'fallback'].includes(route)) throw new TypeError(`applyMigrations: unknown route ${JSON.stringify(route)}`);
  if (route !== 'fallback') {
    try {
      const applied = await applyWithEngine(opts, list);
      return { applied, route: 'wasm' };
    } catch (err) {
      if (!(err instanceof EngineStartError) || route === 'wasm') throw err;
      opts.logger?.warn(`${err.message}; using the fallback migration runner`);
    }
  }
  const applied = await applyMigrationsFallback({ url: opts.url, schema: opts.schema, list, logger: opts.logger });
  return { applied, route: 'fallback' };
}
