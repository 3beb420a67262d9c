// Shared helpers for @strata/db tests: fixture paths, temp copies of the fixture, row reads.
import { cp, mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { quoteIdent } from '@strata/shared';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const fixtureDir = path.join(here, 'fixtures', 'basic', 'prisma');
export const repoRoot = path.resolve(here, '..', '..', '..');

/** A throwaway copy of the fixture prisma dir (optionally with extra migrations). */
export async function fixtureCopy(extra: Record<string, string> = {}): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'strata-db-')), 'prisma');
  await cp(fixtureDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, 'migrations', name), { recursive: true });
    await writeFile(path.join(dir, 'migrations', name, 'migration.sql'), sql);
  }
  return dir;
}

export interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export function migrationRows(url: string, schema: string): Promise<MigrationRow[]> {
  return query<MigrationRow>(
    url,
    `SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count
       FROM ${quoteIdent(schema)}."_prisma_migrations" ORDER BY migration_name, started_at`,
  );
}

export async function tablesIn(url: string, schema: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(url, 'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
  return rows.map((r) => r.table_name);
}
