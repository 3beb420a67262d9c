import { withSchemaEngine } from '../src/engine.ts';
import { createMigrationAdapterFactory } from '../src/migration-adapter.ts';
import { ensureDatabase, ensureSchema } from '@strata/shared';

const schemaText = `
generator client {
  provider = "prisma-client"
  output   = "../src/generated/prisma"
}
datasource db {
  provider = "postgresql"
}
model User {
  id    String @id @default(uuid()) @db.Uuid
  email String @unique
  kind  Kind @default(A)
  createdAt DateTime @default(now()) @db.Timestamptz(3)
}
enum Kind {
  A
  B
}
`;
const url = 'postgresql://postgres@127.0.0.1:5432/strata_exp1';
await ensureDatabase(url);
await ensureSchema(url, 'auth');
const h = createMigrationAdapterFactory({ url, schema: 'auth' });
const logs: unknown[] = [];
try {
  const sql = await withSchemaEngine(h.factory, [['schema.prisma', schemaText]], async (e) => {
    const r = await e.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schemaText }] }, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } });
    console.log('diff', r);
    const res = await e.applyMigrations({
      migrationsList: { baseDir: '/tmp/x/migrations', lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' }, shadowDbInitScript: '', migrationDirectories: [{ path: '20250101000000_init', migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: r.stdout! } } }] },
      filters: { externalTables: [], externalEnums: [] },
    });
    console.log('apply', res);
    return r.stdout;
  }, (l) => logs.push(l));
} catch (e) { console.error('ERR', e); }
finally { await h.close(); }
console.log(logs.slice(0, 10));
