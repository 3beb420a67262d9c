import { writeFile, mkdir } from 'node:fs/promises';
import { applyMigrations } from '../src/migrate.ts';
import { ensureDatabase, dropDatabase } from '@strata/shared';
const url = 'postgresql://postgres@127.0.0.1:5432/strata_exp3';
await dropDatabase(url); await ensureDatabase(url);
await writeFile('fx/migrations/20250101000000_init/migration.sql', 'CREATE TABLE "T" (id int primary key, c text);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n');
await writeFile('fx/migrations/20250102000000_bad/migration.sql', 'CREATE TABLE "U" (id int);\nSELECT nope FROM nothing;\n');
const logger = { info: (m: string) => console.log('INFO', m), warn: (m: string) => console.log('WARN', m) };
try { console.log(await applyMigrations({ prismaDir: 'fx', url, schema: 'auth', logger })); } catch (e) { console.log('ERR1', (e as any).code, (e as Error).message); }
try { console.log(await applyMigrations({ prismaDir: 'fx', url, schema: 'auth', logger })); } catch (e) { console.log('ERR2', (e as any).code, (e as Error).message); }
const t0 = Date.now();
const r = await Promise.allSettled([applyMigrations({ prismaDir: 'fx', url, schema: 'other', logger }), applyMigrations({ prismaDir: 'fx', url, schema: 'other', logger })]);
console.log(Date.now() - t0, r.map(x => x.status === 'fulfilled' ? x.value : (x.reason as Error).message.slice(0, 200)));
