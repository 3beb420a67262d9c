import { withSchemaEngine } from '../src/engine.ts';
import { createMigrationAdapterFactory } from '../src/migration-adapter.ts';
import { stubAdapter } from '../src/stub-adapter.ts';
import { readMigrationsList } from '../src/migrations-dir.ts';
import { readFile } from 'node:fs/promises';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
const h = createMigrationAdapterFactory({ url: 'postgresql://postgres@127.0.0.1:5432/postgres', schema: 'public' });
const spy = (a: SqlDriverAdapter, tag: string): SqlDriverAdapter => ({ ...a,
  queryRaw: (q) => { console.log(tag, 'Q', q.sql.slice(0, 150).replace(/\s+/g, ' ')); return a.queryRaw(q); },
  executeRaw: (q) => { console.log(tag, 'X', q.sql.slice(0, 150)); return a.executeRaw(q); },
  executeScript: (s) => { console.log(tag, 'S', s.slice(0, 150).replace(/\s+/g, ' ')); return a.executeScript(s); },
  startTransaction: (l) => { console.log(tag, 'TX'); return a.startTransaction(l); },
});
const list = await readMigrationsList('gen/prisma');
const dm = await readFile('gen/prisma/schema.prisma', 'utf8');
try {
  await withSchemaEngine({ provider: 'postgres', adapterName: '@prisma/adapter-pg', connect: async () => spy(stubAdapter(), 'main'), connectToShadowDb: async () => spy(await h.factory.connectToShadowDb(), 'shadow') }, [['schema.prisma', dm]], async (e) => {
    const r = await e.diff({ from: { tag: 'migrations', ...list }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: dm }] }, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } });
    console.log(r);
  });
} catch (e) { console.log('ERR', (e as Error).message); } finally { await h.close(); }
