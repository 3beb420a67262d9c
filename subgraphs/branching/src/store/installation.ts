// The installation record (table `installation`, exactly one row: its key is an enum with a
// single value): the deployment id reported by GET /api/info, generated on first start and
// never changed afterwards.
import { randomUUID } from 'node:crypto';
import { InstallationKey, type BranchingPrisma, type Installation } from '../db.ts';

export type { Installation };

const SINGLETON_ID = InstallationKey.THIS;

/** Returns the installation row, creating it on first start (idempotent, safe with concurrent starts). */
export async function ensureInstallation(prisma: BranchingPrisma): Promise<Installation> {
  await prisma.installation.createMany({
    data: [{ id: SINGLETON_ID, deploymentId: randomUUID() }],
    skipDuplicates: true,
  });
  return prisma.installation.findUniqueOrThrow({ where: { id: SINGLETON_ID } });
}
