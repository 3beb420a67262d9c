// Command line for the repo's Prisma tooling (root scripts `pnpm generate`, `pnpm migrate`,
// `pnpm migration:create`):
//   generate [subgraph...]        prisma generate for subgraphs/*/prisma/schema.prisma
//   deploy [subgraph...]          apply migrations to DATABASE_URL, each subgraph into its schema
//   create <subgraph> <name>      new migration from the diff migrations -> schema.prisma
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseFor, SUBGRAPHS, type SubgraphName } from '@strata/shared';
import { createMigration } from './create-migration.ts';
import { generateClient } from './generate.ts';
import { applyMigrations } from './migrate.ts';
import type { MigrationLogger } from './types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const logger: MigrationLogger = { info: (m) => console.log(m), warn: (m) => console.warn(m) };

function prismaDirOf(subgraph: string): string {
  return path.join(repoRoot, 'subgraphs', subgraph, 'prisma');
}

/** Subgraph folders that have a prisma/schema.prisma. */
function subgraphsWithSchema(): string[] {
  const dir = path.join(repoRoot, 'subgraphs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'prisma', 'schema.prisma')))
    .map((d) => d.name)
    .sort();
}

function pick(requested: string[]): string[] {
  const all = subgraphsWithSchema();
  for (const r of requested) if (!all.includes(r)) throw new Error(`unknown subgraph "${r}" (with a prisma/schema.prisma: ${all.join(', ') || 'none'})`);
  return requested.length ? requested : all;
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'generate': {
      for (const s of pick(args)) {
        logger.info(`[${s}] prisma generate`);
        await generateClient({ schemaPath: path.join(prismaDirOf(s), 'schema.prisma'), logger });
      }
      return;
    }
    case 'deploy': {
      for (const s of pick(args)) {
        if (!(SUBGRAPHS as readonly string[]).includes(s)) throw new Error(`"${s}" is not a known subgraph (${SUBGRAPHS.join(', ')})`);
        const db = databaseFor(s as SubgraphName);
        const res = await applyMigrations({ prismaDir: prismaDirOf(s), ...db, logger });
        logger.info(`[${s}] schema "${db.schema}": ${res.applied.length ? `applied ${res.applied.join(', ')}` : 'up to date'} (${res.route})`);
      }
      return;
    }
    case 'create': {
      const [subgraph, ...nameParts] = args;
      if (!subgraph || nameParts.length === 0) throw new Error('usage: pnpm migration:create <subgraph> <name>');
      pick([subgraph]);
      await createMigration({ prismaDir: prismaDirOf(subgraph), name: nameParts.join('_'), logger });
      return;
    }
    default:
      throw new Error('usage: cli.ts generate [subgraph...] | deploy [subgraph...] | create <subgraph> <name>');
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
