// Branch rows (table `branches`): bootstrap of `main`, lookups, creation, soft deletion and the
// status transitions of merge/rebase/validate. Every write is a single statement (conditional
// updates act as compare-and-set), so concurrent callers (two starts, two creates of the same
// name, two merges of one branch) end in one winner and a clean error rather than a crash.
import { errors } from '@strata/shared';
import { DEFAULT_BRANCH } from '../branch-name.ts';
import { BranchStatus, type Branch, type BranchingPrisma } from '../db.ts';

export type { Branch };

export interface NewBranch {
  name: string;
  description: string | null;
  isolated: boolean;
  createdBy: string | null;
}

export interface BranchStore {
  /** creates `main` (status OPEN, not isolated) unless it exists; returns it */
  ensureMain(): Promise<Branch>;
  /** the branch, whatever its status (DELETED included), or null */
  get(name: string): Promise<Branch | null>;
  /** `main` first, then by name; DELETED branches only when asked */
  list(opts?: { includeDeleted?: boolean }): Promise<Branch[]>;
  /** inserts an OPEN branch branched from the database's now(); UNIQUENESS_VIOLATION if taken */
  create(input: NewBranch): Promise<Branch>;
  /** sets status DELETED; BRANCH_NOT_FOUND when missing or already deleted, CONFLICT while merging */
  markDeleted(name: string): Promise<Branch>;
  /**
   * Compare-and-set of the status: moves `name` from one of `from` to `to` (with extra fields);
   * returns null when the branch was not in one of `from` (someone else got there first).
   */
  transition(name: string, from: Branch['status'][], to: Branch['status'], extra?: { mergedAt?: Date; branchedFrom?: Date }): Promise<Branch | null>;
  /**
   * Compare-and-set OPEN/NEED_REBASE -> MERGING, in one statement: of two concurrent merges only
   * one gets the branch. A branch left MERGING for longer than `staleAfterSeconds` (its merger
   * died) may be claimed again. Returns null when the branch is not claimable.
   */
  claimMerge(name: string, staleAfterSeconds: number): Promise<Branch | null>;
  /**
   * After a rebase: branched_from moves forward to `branchedFrom` (never back, so concurrent
   * rebases end at the latest) and NEED_REBASE becomes OPEN. Null when the branch is no longer
   * OPEN/NEED_REBASE.
   */
  rebased(name: string, branchedFrom: Date): Promise<Branch | null>;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'P2002';
}

export function createBranchStore(prisma: BranchingPrisma): BranchStore {
  /** The database clock, so branch instants line up with the other subgraphs' change times. */
  async function dbNow(): Promise<Date> {
    const rows = await prisma.$queryRaw<{ now: Date | string }[]>`SELECT now() AS now`;
    return new Date(rows[0]!.now);
  }

  async function get(name: string): Promise<Branch | null> {
    return prisma.branch.findUnique({ where: { name } });
  }

  return {
    async ensureMain() {
      const now = await dbNow();
      // INSERT ... ON CONFLICT DO NOTHING: idempotent and safe with concurrent starts
      await prisma.branch.createMany({
        data: [{ name: DEFAULT_BRANCH, status: BranchStatus.OPEN, isolated: false, branchedFrom: now, createdAt: now }],
        skipDuplicates: true,
      });
      return prisma.branch.findUniqueOrThrow({ where: { name: DEFAULT_BRANCH } });
    },

    get,

    async list(opts = {}) {
      const rows = await prisma.branch.findMany({
        where: opts.includeDeleted ? {} : { status: { not: BranchStatus.DELETED } },
        orderBy: { name: 'asc' },
      });
      const main = rows.filter((b) => b.name === DEFAULT_BRANCH);
      return [...main, ...rows.filter((b) => b.name !== DEFAULT_BRANCH)];
    },

    async create(input) {
      const existing = await get(input.name);
      if (existing) {
        throw errors.uniqueness(
          existing.status === BranchStatus.DELETED ? `A deleted branch named "${input.name}" exists; choose another name` : `A branch named "${input.name}" already exists`,
          { field: 'name' },
        );
      }
      const now = await dbNow();
      try {
        return await prisma.branch.create({
          data: {
            name: input.name,
            description: input.description,
            isolated: input.isolated,
            createdBy: input.createdBy,
            status: BranchStatus.OPEN,
            branchedFrom: now,
            createdAt: now,
          },
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw errors.uniqueness(`A branch named "${input.name}" already exists`, { field: 'name' });
        throw err;
      }
    },

    async transition(name, from, to, extra = {}) {
      const { count } = await prisma.branch.updateMany({
        where: { name, status: { in: from } },
        data: { status: to, ...(extra.mergedAt ? { mergedAt: extra.mergedAt } : {}), ...(extra.branchedFrom ? { branchedFrom: extra.branchedFrom } : {}) },
      });
      return count ? get(name) : null;
    },

    async claimMerge(name, staleAfterSeconds) {
      const count = await prisma.$executeRaw`
        UPDATE branches SET status = 'MERGING', updated_at = now()
        WHERE name = ${name}
          AND (status IN ('OPEN', 'NEED_REBASE')
               OR (status = 'MERGING' AND updated_at < now() - make_interval(secs => ${staleAfterSeconds}::double precision)))`;
      return count ? get(name) : null;
    },

    async rebased(name, branchedFrom) {
      const count = await prisma.$executeRaw`
        UPDATE branches SET branched_from = GREATEST(branched_from, ${branchedFrom}::timestamptz), status = 'OPEN', updated_at = now()
        WHERE name = ${name} AND status IN ('OPEN', 'NEED_REBASE')`;
      return count ? get(name) : null;
    },

    async markDeleted(name) {
      if (name === DEFAULT_BRANCH) throw errors.validation(`The default branch "${DEFAULT_BRANCH}" cannot be deleted`);
      // conditional update: only one of two concurrent deletes (or a delete racing a merge) wins
      const { count } = await prisma.branch.updateMany({
        where: { name, status: { notIn: [BranchStatus.DELETED, BranchStatus.MERGING] } },
        data: { status: BranchStatus.DELETED },
      });
      const branch = await get(name);
      if (!branch || (count === 0 && branch.status === BranchStatus.DELETED)) throw errors.branchNotFound(name);
      if (count === 0) throw errors.conflict(`Branch "${name}" is being merged and cannot be deleted now`, { branch: name });
      return branch;
    },
  };
}
