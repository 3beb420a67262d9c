// applyMigrations against a real Postgres: bookkeeping identical to prisma migrate deploy,
// idempotency, concurrent deployers (same process and another process), failed migrations,
// and the fallback runner producing the same rows.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, migrationChecksum, MigrationFailedError } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { fixtureCopy, fixtureDir, here, migrationRows, query, repoRoot, tablesIn } from './helpers.ts';

const FIXTURE_MIGRATIONS = ['20261122190455_widgets', '20261122190456_parts'];
const BAD = {
  '20991231000000_broken': 'CREATE TABLE "should_roll_back" (id int);\nSELECT * FROM "no_such_table";\n',
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('db_migrate');
});
afterAll(async () => {
  await db?.drop();
});

async function expectedChecksums(): Promise<string[]> {
  return Promise.all(FIXTURE_MIGRATIONS.map(async (m) => migrationChecksum(await readFile(path.join(fixtureDir, 'migrations', m, 'migration.sql'), 'utf8'))));
}

describe('applyMigrations (wasm schema engine)', () => {
  it('applies the folder into the named schema with prisma-compatible rows', async () => {
    const res = await applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_a' });
    expect(res).toEqual({ applied: FIXTURE_MIGRATIONS, route: 'wasm' });

    const rows = await migrationRows(db.url, 'fixture_a');
    expect(rows.map((r) => r.migration_name)).toEqual(FIXTURE_MIGRATIONS);
    expect(rows.map((r) => r.checksum)).toEqual(await expectedChecksums());
    for (const r of rows) {
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    expect(await tablesIn(db.url, 'fixture_a')).toEqual(['_prisma_migrations', 'parts', 'widgets']);
    // nothing leaked into public
    expect(await tablesIn(db.url, 'public')).toEqual([]);
  });

  it('is idempotent', async () => {
    const before = await migrationRows(db.url, 'fixture_a');
    const res = await applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_a' });
    expect(res.applied).toEqual([]);
    expect(await migrationRows(db.url, 'fixture_a')).toEqual(before);
  });

  it('serializes concurrent deployers in one process', async () => {
    const results = await Promise.all([1, 2, 3].map(() => applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_b' })));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 2]);
    const rows = await migrationRows(db.url, 'fixture_b');
    expect(rows.map((r) => r.migration_name)).toEqual(FIXTURE_MIGRATIONS);
  });

  it('serializes a deployer in another process with one in this process', async () => {
    const child = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(here, 'child-apply.ts')], {
      cwd: repoRoot,
      env: { ...process.env, PRISMA_DIR: fixtureDir, TARGET_URL: db.url, TARGET_SCHEMA: 'fixture_c' },
    });
    const mine = applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_c' });
    const [{ stdout }, own] = await Promise.all([child, mine]);
    const theirs = JSON.parse(stdout) as { applied: string[] };
    expect([theirs.applied.length, own.applied.length].sort()).toEqual([0, 2]);
    expect((await migrationRows(db.url, 'fixture_c')).map((r) => r.migration_name)).toEqual(FIXTURE_MIGRATIONS);
  });

  it('records a failing migration atomically and refuses to continue afterwards', async () => {
    const dir = await fixtureCopy(BAD);
    const err = await applyMigrations({ prismaDir: dir, url: db.url, schema: 'fixture_d' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect((err as Error).message).toMatch(/no_such_table/);

    const rows = await migrationRows(db.url, 'fixture_d');
    expect(rows.map((r) => r.migration_name)).toEqual([...FIXTURE_MIGRATIONS, '20991231000000_broken']);
    const broken = rows[2]!;
    expect(broken.finished_at).toBeNull();
    expect(broken.applied_steps_count).toBe(0);
    expect(broken.logs).toMatch(/no_such_table/);
    // the script ran as one implicit transaction: its first statement was rolled back
    expect(await tablesIn(db.url, 'fixture_d')).not.toContain('should_roll_back');

    const again = await applyMigrations({ prismaDir: dir, url: db.url, schema: 'fixture_d' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(MigrationFailedError);
    expect((again as MigrationFailedError).code).toBe('P3009');
  });

  it('rejects bad options with clear errors', async () => {
    await expect(applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'bad;schema' })).rejects.toThrow(/invalid schema/);
    await expect(applyMigrations({ prismaDir: fixtureDir, url: 'mysql://x', schema: 'a' })).rejects.toThrow(/postgresql/);
  });
});

describe('applyMigrations fallback runner', () => {
  it('writes the same rows as the engine, which then accepts them', async () => {
    const res = await applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_fb', route: 'fallback' });
    expect(res).toEqual({ applied: FIXTURE_MIGRATIONS, route: 'fallback' });
    const rows = await migrationRows(db.url, 'fixture_fb');
    const engineRows = await migrationRows(db.url, 'fixture_a');
    const shape = (r: (typeof rows)[number]) => [r.migration_name, r.checksum, r.finished_at !== null, r.rolled_back_at, r.logs, r.applied_steps_count];
    expect(rows.map(shape)).toEqual(engineRows.map(shape));
    expect(await tablesIn(db.url, 'fixture_fb')).toEqual(['_prisma_migrations', 'parts', 'widgets']);

    expect((await applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_fb', route: 'fallback' })).applied).toEqual([]);
    expect((await applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_fb', route: 'wasm' })).applied).toEqual([]);
  });

  it('serializes concurrent fallback deployers', async () => {
    const results = await Promise.all([1, 2].map(() => applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: 'fixture_fb2', route: 'fallback' })));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
  });

  it('records a failure that the engine route refuses as well', async () => {
    const dir = await fixtureCopy(BAD);
    const err = await applyMigrations({ prismaDir: dir, url: db.url, schema: 'fixture_fb3', route: 'fallback' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    const rows = await migrationRows(db.url, 'fixture_fb3');
    expect(rows.at(-1)).toMatchObject({ migration_name: '20991231000000_broken', finished_at: null, applied_steps_count: 0 });
    expect(await tablesIn(db.url, 'fixture_fb3')).not.toContain('should_roll_back');
    const again = await applyMigrations({ prismaDir: dir, url: db.url, schema: 'fixture_fb3', route: 'wasm' }).catch((e: unknown) => e);
    expect((again as MigrationFailedError).code).toBe('P3009');
  });
});

it('leaves no session behind (pools disposed, advisory lock released)', async () => {
  const rows = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-migrate'`);
  expect(rows[0]?.n).toBe(0);
  const locks = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369`);
  expect(locks[0]?.n).toBe(0);
});
