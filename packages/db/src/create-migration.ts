// createMigration: `prisma migrate dev --create-only` without native engines or a dev database.
// Diffs "what the migrations folder builds" -> `schema.prisma` with the wasm schema engine and
// writes `<UTC yyyymmddHHMMSS>_<name>/migration.sql` (+ migration_lock.toml when missing).
//  - no migrations yet: diff from empty; no database at all (stub adapter).
//  - otherwise: the engine replays the folder in a temporary shadow database (created on the
//    server of `shadowDatabaseUrl` / STRATA_SHADOW_DATABASE_URL / DATABASE_URL / local default,
//    dropped afterwards) and diffs that against schema.prisma, exactly like prisma migrate dev.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { withSchemaEngine } from './engine.ts';
import { createMigrationAdapterFactory, type MigrationAdapterHandle } from './migration-adapter.ts';
import { LOCKFILE_CONTENT, LOCKFILE_NAME, MIGRATION_FILE, migrationsDirOf, readMigrationsList } from './migrations-dir.ts';
import { stubAdapter } from './stub-adapter.ts';
import type { CreateMigrationOptions, CreateMigrationResult } from './types.ts';

const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };
const DEFAULT_SHADOW_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres';
// The engine prefixes a diff from empty with the default namespace; deploy creates the target
// schema itself (and search_path points at it), so this statement is noise.
const PUBLIC_SCHEMA_PREAMBLE = '-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n';
const EMPTY_MARKER = '-- This is an empty migration.';

/** `add Devices!` -> `add_devices`; Prisma's own slug rule (lowercase, [a-z0-9_]). */
export function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  if (!slug) throw new TypeError(`createMigration: invalid migration name ${JSON.stringify(name)}`);
  return slug;
}

/** UTC `yyyymmddHHMMSS`, the prefix prisma migrate uses. */
export function migrationTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function shadowServerUrl(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = explicit || env.STRATA_SHADOW_DATABASE_URL || env.DATABASE_URL || DEFAULT_SHADOW_SERVER;
  const u = new URL(raw);
  u.searchParams.delete('schema');
  return u.toString();
}

export async function createMigration(opts: CreateMigrationOptions): Promise<CreateMigrationResult> {
  if (!opts || typeof opts.prismaDir !== 'string' || !opts.prismaDir) throw new TypeError('createMigration: prismaDir is required');
  const slug = migrationSlug(String(opts.name ?? ''));
  const prismaDir = path.resolve(opts.prismaDir);
  const schemaFile = path.join(prismaDir, 'schema.prisma');
  const datamodel = await readFile(schemaFile, 'utf8').catch(() => {
    throw new Error(`createMigration: ${schemaFile} not found`);
  });
  const baseDir = migrationsDirOf(prismaDir);
  const list = await readMigrationsList(prismaDir);
  const fromEmpty = list.migrationDirectories.length === 0;

  let shadow: MigrationAdapterHandle | undefined;
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => stubAdapter(),
    connectToShadowDb: async () => {
      shadow ??= createMigrationAdapterFactory({ url: shadowServerUrl(opts.shadowDatabaseUrl), schema: 'public' });
      return shadow.factory.connectToShadowDb();
    },
  };
  let script: string;
  try {
    const files = [{ path: schemaFile, content: datamodel }];
    const out = await withSchemaEngine(factory, [[schemaFile, datamodel]], (engine) =>
      engine.diff({
        from: fromEmpty ? { tag: 'empty' } : { tag: 'migrations', ...list },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      }),
    );
    script = out.stdout ?? '';
  } finally {
    await shadow?.close();
  }

  if (script.startsWith(PUBLIC_SCHEMA_PREAMBLE)) script = script.slice(PUBLIC_SCHEMA_PREAMBLE.length);
  if (!script.trim() || script.trim() === EMPTY_MARKER) {
    opts.logger?.info('no changes');
    return { dir: null, sql: '' };
  }

  const last = list.migrationDirectories.at(-1)?.path ?? '';
  let stamp = migrationTimestamp(opts.now ?? new Date());
  // keep folder order == creation order even if the clock is behind the newest migration
  if (last.slice(0, 14) >= stamp && /^\d{14}/.test(last)) stamp = String(BigInt(last.slice(0, 14)) + 1n);
  const dir = path.join(baseDir, `${stamp}_${slug}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, MIGRATION_FILE), script, 'utf8');
  if (list.lockfile.content === null) await writeFile(path.join(baseDir, LOCKFILE_NAME), LOCKFILE_CONTENT, 'utf8');
  opts.logger?.info(`created ${path.relative(process.cwd(), path.join(dir, MIGRATION_FILE))}`);
  return { dir, sql: script };
}
