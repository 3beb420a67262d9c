// createMigration: first migration without any database, later ones through a temporary shadow
// database; output identical to the committed fixture migrations it once wrote.
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMigration } from '../src/index.ts';
import { migrationSlug, migrationTimestamp } from '../src/create-migration.ts';
import { testServerUrl } from '../../../test/support.ts';
import { fixtureDir, query } from './helpers.ts';

const FIXTURE_V1 = path.join(fixtureDir, '..', 'schema.v1.prisma');
const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function workspace(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'strata-create-'));
  temps.push(root);
  const dir = path.join(root, 'prisma');
  await cp(FIXTURE_V1, path.join(dir, 'schema.prisma'));
  return dir;
}

const fixtureSql = (name: string) => readFile(path.join(fixtureDir, 'migrations', name, 'migration.sql'), 'utf8');

// Prisma 7.10's schema engine cannot read PostgreSQL 18's catalog (NOT NULL constraints of type
// 'n'), so diffs that replay migrations into a shadow database need PostgreSQL <= 17 (CI's
// server is 15; docs/development.md). The embedded server of `pnpm test` is 18.
const SHADOW_UNSUPPORTED = (await serverVersionNum()) >= 180000;

async function serverVersionNum(): Promise<number> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Number(rows[0]!.v);
  } finally {
    await client.end();
  }
}

describe('createMigration', () => {
  it('writes the first migration and the lockfile with no database at all', async () => {
    const dir = await workspace();
    // an unreachable shadow server proves no connection is attempted
    const res = await createMigration({
      prismaDir: dir,
      name: 'Widgets',
      now: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      shadowDatabaseUrl: 'postgresql://nobody@127.0.0.1:1/none',
    });
    expect(res.dir).toBe(path.join(dir, 'migrations', '20300102030405_widgets'));
    expect(res.sql).toBe(await fixtureSql('20261122190455_widgets'));
    expect(res.sql).not.toMatch(/CREATE SCHEMA/);
    expect(await readFile(path.join(res.dir!, 'migration.sql'), 'utf8')).toBe(res.sql);
    expect(await readFile(path.join(dir, 'migrations', 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
  });

  it.skipIf(SHADOW_UNSUPPORTED)('diffs the migrations folder (replayed in a dropped shadow database) against schema.prisma', async () => {
    const dir = await workspace();
    await createMigration({ prismaDir: dir, name: 'widgets', now: new Date(Date.UTC(2030, 0, 1)) });
    await cp(path.join(fixtureDir, 'schema.prisma'), path.join(dir, 'schema.prisma'));
    const shadowsBefore = await shadowDatabases();
    const res = await createMigration({ prismaDir: dir, name: 'parts', now: new Date(Date.UTC(2030, 0, 2)), shadowDatabaseUrl: testServerUrl() });
    expect(path.basename(res.dir!)).toBe('20300102000000_parts');
    expect(res.sql).toBe(await fixtureSql('20261122190456_parts'));
    expect((await shadowDatabases()).filter((d) => !shadowsBefore.includes(d))).toEqual([]);

    const lines: string[] = [];
    const none = await createMigration({
      prismaDir: dir,
      name: 'again',
      shadowDatabaseUrl: testServerUrl(),
      logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) },
    });
    expect(none).toEqual({ dir: null, sql: '' });
    expect(lines).toContain('no changes');
    expect((await readdir(path.join(dir, 'migrations'))).sort()).toEqual(['20300101000000_widgets', '20300102000000_parts', 'migration_lock.toml']);
  });

  it.skipIf(SHADOW_UNSUPPORTED)('reports no changes for the committed fixture', async () => {
    const res = await createMigration({ prismaDir: fixtureDir, name: 'noop', shadowDatabaseUrl: testServerUrl() });
    expect(res.dir).toBeNull();
  });

  it.skipIf(SHADOW_UNSUPPORTED)('keeps folder order when the clock is behind the newest migration', async () => {
    const dir = await workspace();
    await createMigration({ prismaDir: dir, name: 'widgets', now: new Date(Date.UTC(2030, 0, 1)) });
    await cp(path.join(fixtureDir, 'schema.prisma'), path.join(dir, 'schema.prisma'));
    const res = await createMigration({ prismaDir: dir, name: 'parts', now: new Date(Date.UTC(2029, 0, 1)), shadowDatabaseUrl: testServerUrl() });
    expect(path.basename(res.dir!)).toBe('20300101000001_parts');
  });

  it('rejects bad names and invalid schemas clearly', async () => {
    expect(() => migrationSlug('  !!  ')).toThrow(/invalid migration name/);
    expect(migrationSlug('Add Device-Roles')).toBe('add_device_roles');
    expect(migrationTimestamp(new Date(Date.UTC(2024, 11, 31, 23, 59, 58)))).toBe('20241231235958');
    const dir = await workspace();
    await cp(path.join(fixtureDir, '..', 'schema.invalid.prisma'), path.join(dir, 'schema.prisma'));
    await expect(createMigration({ prismaDir: dir, name: 'x' })).rejects.toThrow(/schema\.prisma/);
  });
});

async function shadowDatabases(): Promise<string[]> {
  const rows = await query<{ datname: string }>(testServerUrl(), `SELECT datname FROM pg_database WHERE datname LIKE 'strata_shadow_%'`);
  return rows.map((r) => r.datname);
}
