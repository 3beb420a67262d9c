// Database access for the branching subgraph: the generated Prisma client on the `branching`
// schema (PrismaPg adapter from @strata/db) and the migrations folder applied at start.
import { fileURLToPath } from 'node:url';
import { applyMigrations, prismaAdapter, type ApplyMigrationsResult } from '@strata/db';
import type { Logger } from '@strata/shared';
import { PrismaClient } from './generated/prisma/client.ts';

export type BranchingPrisma = PrismaClient;
export type { Branch, Installation } from './generated/prisma/client.ts';
export { BranchStatus, InstallationKey } from './generated/prisma/enums.ts';

/** `subgraphs/branching/prisma` (schema.prisma + migrations/). */
export const PRISMA_DIR = fileURLToPath(new URL('../prisma', import.meta.url));

export function createPrisma(db: { url: string; schema: string }): BranchingPrisma {
  return new PrismaClient({ adapter: prismaAdapter({ ...db, pool: { max: 5 } }) });
}

export function migrate(db: { url: string; schema: string }, logger: Logger): Promise<ApplyMigrationsResult> {
  return applyMigrations({
    prismaDir: PRISMA_DIR,
    url: db.url,
    schema: db.schema,
    logger: { info: (msg) => logger.info(msg), warn: (msg) => logger.warn(msg) },
  });
}
