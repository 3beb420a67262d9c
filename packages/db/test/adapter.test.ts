// The migration adapter's three corrections to stock adapter-pg, checked directly:
// "char" columns readable, scripts atomic and $$-safe, shadow databases real and dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import { createMigrationAdapterFactory } from '../src/migration-adapter.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { query, tablesIn } from './helpers.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('db_adapter');
  await query(db.url, 'CREATE SCHEMA slice');
});
afterAll(async () => {
  await db?.drop();
});

const q = (sql: string) => ({ sql, args: [], argTypes: [] });

describe('migration adapter', () => {
  it('reports pg_catalog "char" columns as text and pins search_path to the schema', async () => {
    const h = createMigrationAdapterFactory({ url: db.url, schema: 'slice' });
    try {
      const a = await h.factory.connect();
      const r = await a.queryRaw(q(`SELECT 'r'::"char" AS c, current_schema() AS s`));
      expect(r.columnTypes).toEqual([ColumnTypeEnum.Text, ColumnTypeEnum.Text]);
      expect(r.rows).toEqual([['r', 'slice']]);
      expect(a.getConnectionInfo?.()).toMatchObject({ schemaName: 'slice' });
    } finally {
      await h.close();
    }
  });

  it('runs a script as one atomic simple query ($$ bodies intact)', async () => {
    const h = createMigrationAdapterFactory({ url: db.url, schema: 'slice' });
    try {
      const a = await h.factory.connect();
      await a.executeScript(`CREATE TABLE t1 (id int);
CREATE FUNCTION one() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;`);
      expect((await a.queryRaw(q('SELECT one() AS v'))).rows).toEqual([[1]]);
      await expect(a.executeScript('CREATE TABLE t2 (id int); SELECT * FROM missing_table;')).rejects.toThrow();
    } finally {
      await h.close();
    }
    expect(await tablesIn(db.url, 'slice')).toEqual(['t1']);
  });

  it('gives the engine a real temporary shadow database and drops it on dispose', async () => {
    const h = createMigrationAdapterFactory({ url: db.url, schema: 'slice' });
    let name = '';
    try {
      const shadow = await h.factory.connectToShadowDb();
      const r = await shadow.queryRaw(q('SELECT current_database() AS d, current_schema() AS s'));
      name = String(r.rows[0]?.[0]);
      expect(name).toMatch(/^strata_shadow_/);
      expect(r.rows[0]?.[1]).toBe('slice');
      await shadow.dispose();
    } finally {
      await h.close();
    }
    expect(await query(db.url, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).toHaveLength(0);
  });
});
