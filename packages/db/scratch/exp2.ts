import { withSchemaEngine } from '../src/engine.ts';
import { createMigrationAdapterFactory } from '../src/migration-adapter.ts';
import { ColumnTypeEnum, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

const base = `
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
const v2 = base + `
model Post {
  id Int @id @default(autoincrement())
  title String
  body String?
  @@index([title])
}
`;
const stub = (): SqlDriverAdapter => ({
  provider: 'postgres', adapterName: 'stub',
  queryRaw: async (q) => { console.log('stub queryRaw', q.sql); if (/version\(\)/i.test(q.sql)) return { columnNames: ['exists', 'version', 'numeric_version'], columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32], rows: [[true, 'PostgreSQL 15.0', 150000]] }; throw new Error('stub: no database: ' + q.sql); },
  executeRaw: async (q) => { console.log('stub executeRaw', q.sql); throw new Error('stub: no database'); },
  executeScript: async (s) => { console.log('stub script', s); throw new Error('stub: no database'); },
  startTransaction: async () => { throw new Error('stub: no transactions'); },
  getConnectionInfo: () => ({ supportsRelationJoins: true }),
  dispose: async () => {},
});
const h = createMigrationAdapterFactory({ url: 'postgresql://postgres@127.0.0.1:5432/postgres', schema: 'public' });
const factory: SqlMigrationAwareDriverAdapterFactory = { provider: 'postgres', adapterName: 'stub', connect: async () => stub(), connectToShadowDb: () => h.factory.connectToShadowDb() };
const filters = { externalTables: [], externalEnums: [] };
try {
  await withSchemaEngine(factory, [['schema.prisma', v2]], async (e) => {
    const r1 = await e.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: base }] }, script: true, exitCode: null, filters });
    console.log('diff1', r1.stdout);
    const ml = { baseDir: '/tmp/x/migrations', lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' }, shadowDbInitScript: '', migrationDirectories: [{ path: '20250101000000_init', migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: r1.stdout! } } }] };
    const r2 = await e.diff({ from: { tag: 'migrations', ...ml }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: v2 }] }, script: true, exitCode: null, filters });
    console.log('diff2', r2.stdout);
    const r2b = await e.diff({ from: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: base }] }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: v2 }] }, script: true, exitCode: null, filters });
    console.log('same as datamodel route:', r2b.stdout === r2.stdout);
    const r3 = await e.diff({ from: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: v2 }] }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: v2 }] }, script: true, exitCode: null, filters });
    console.log('diff3', JSON.stringify(r3));
  });
} catch (e) { console.error('ERR', e); } finally { await h.close(); }
