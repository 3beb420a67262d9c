// Fallback migration runner, used only when the wasm schema engine cannot start (e.g. after a
// Prisma upgrade broke the wasm/glue pairing). Same contract as `prisma migrate deploy`: same
// advisory lock, same `_prisma_migrations` table and rows, failed migrations recorded and
// refused afterwards; each migration.sql runs in one transaction together with its row.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { quoteIdent } from '@strata/shared';
import { migrationChecksum } from './migrations-dir.ts';
import type { MigrationLogger } from './types.ts';

/** The lock id prisma migrate uses (pg_advisory_lock), shared with the engine route. */
export const PRISMA_ADVISORY_LOCK = 72707369;

// DDL identical to the one the schema engine creates.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationFailedError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'MigrationFailedError';
  }
}

export async function applyMigrationsFallback(opts: { url: string; schema: string; list: MigrationList; logger?: MigrationLogger }): Promise<string[]> {
  const client = new pg.Client({
    connectionString: opts.url,
    application_name: 'strata-migrate',
    options: `-c search_path=${quoteIdent(opts.schema)}`,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<MigrationRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at');
    const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at);
    if (failed.length > 0) {
      throw new MigrationFailedError(
        `Found failed migrations in schema "${opts.schema}", new migrations will not be applied: ${failed
          .map((r) => r.migration_name)
          .join(', ')}. Fix the database, then mark the migration as rolled back or applied.`,
        'P3009',
      );
    }
    const applied = new Set(rows.filter((r) => !r.rolled_back_at).map((r) => r.migration_name));
    for (const r of rows) {
      const local = opts.list.migrationDirectories.find((d) => d.path === r.migration_name);
      if (local?.migrationFile.content.tag === 'ok' && !r.rolled_back_at && migrationChecksum(local.migrationFile.content.value) !== r.checksum) {
        opts.logger?.warn(`migration ${r.migration_name} was modified after it was applied (schema "${opts.schema}")`);
      }
    }
    const done: string[] = [];
    for (const dir of opts.list.migrationDirectories) {
      if (applied.has(dir.path)) continue;
      if (dir.migrationFile.content.tag !== 'ok') {
        throw new MigrationFailedError(`Cannot read ${dir.path}/${dir.migrationFile.path}: ${dir.migrationFile.content.value}`, 'P3015');
      }
      const sql = dir.migrationFile.content.value;
      const id = randomUUID();
      const startedAt = new Date();
      opts.logger?.info(`applying migration ${dir.path} to schema "${opts.schema}" (fallback runner)`);
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, $4, 1)`,
          [id, migrationChecksum(sql), dir.path, startedAt],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const msg = err instanceof Error ? err.message : String(err);
        const code = (err as { code?: unknown }).code;
        const logs = `Database error code: ${String(code ?? 'unknown')}\n\nDatabase error:\n${msg}`;
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
           VALUES ($1, $2, NULL, $3, $4, $5, 0)`,
          [id, migrationChecksum(sql), dir.path, logs, startedAt],
        );
        throw new MigrationFailedError(
          `Migration ${dir.path} failed to apply to schema "${opts.schema}". New migrations cannot be applied before the error is recovered from.\n${logs}`,
          'P3018',
        );
      }
      done.push(dir.path);
    }
    return done;
  } finally {
    // ending the session releases the advisory lock
    await client.end().catch(() => undefined);
  }
}
