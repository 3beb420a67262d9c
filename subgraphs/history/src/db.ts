// Database access for the history subgraph: the generated Prisma client on the `history`
// schema and the migrations applied at start.
import { fileURLToPath } from 'node:url';
import { applyMigrations, prismaAdapter } from '@strata/db';
import type { Logger } from '@strata/shared';
import { PrismaClient } from './generated/prisma/client.ts';

export type HistoryPrisma = PrismaClient;
export const PRISMA_DIR = fileURLToPath(new URL('../prisma', import.meta.url));

export function createPrisma(db: { url: string; schema: string }): HistoryPrisma {
  return new PrismaClient({ adapter: prismaAdapter({ ...db, pool: { max: 5 } }) });
}

export async function migrate(db: { url: string; schema: string }, logger: Logger): Promise<void> {
  await applyMigrations({ prismaDir: PRISMA_DIR, url: db.url, schema: db.schema, logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } });
}
