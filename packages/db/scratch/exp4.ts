import { writeFile, mkdir, rm } from 'node:fs/promises';
import { applyMigrations } from '../src/migrate.ts';
import { ensureDatabase, dropDatabase } from '@strata/shared';
const url = 'postgresql://postgres@127.0.0.1:5432/strata_exp4';
await dropDatabase(url); await ensureDatabase(url);
await rm('fx4', { recursive: true, force: true });
for (let i = 1; i <= 5; i++) { await mkdir(`fx4/migrations/2025010${i}000000_m${i}`, { recursive: true }); await writeFile(`fx4/migrations/2025010${i}000000_m${i}/migration.sql`, `CREATE TABLE "T${i}" (id int primary key);\nSELECT pg_sleep(0.2);\n`); }
const logger = { info: (m: string) => console.log('INFO', m), warn: (m: string) => console.log('WARN', m) };
const r = await Promise.allSettled([1,2,3].map(() => applyMigrations({ prismaDir: 'fx4', url, schema: 'conc', logger })));
console.log(r.map(x => x.status === 'fulfilled' ? x.value : (x.reason as Error).message.slice(0, 300)));
console.log(await applyMigrations({ prismaDir: 'fx4', url, schema: 'conc' }));
process.env.STRATA_MIGRATE_ROUTE = 'fallback';
const r2 = await Promise.allSettled([1,2,3].map(() => applyMigrations({ prismaDir: 'fx4', url, schema: 'conc2', logger })));
console.log(r2.map(x => x.status === 'fulfilled' ? x.value : (x.reason as Error).message.slice(0, 300)));
console.log('end', new Date().toISOString());
