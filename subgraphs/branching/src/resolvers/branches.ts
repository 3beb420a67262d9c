// Branch queries and mutations: branch, branch_list, branch_create, branch_delete, and the
// BranchType entity reference (other subgraphs may point at a branch by name).
import { z } from 'zod';
import { errors, type Logger, type SubgraphContext } from '@strata/shared';
import { branchNameProblem } from '../branch-name.ts';
import { branchChangeOf, emitBranchChange, type BranchEventSink } from '../events.ts';
import type { BranchStore } from '../store/index.ts';
import { requireWriter } from './guards.ts';
import { toBranchView, type BranchView } from './mappers.ts';

export interface BranchResolverDeps {
  store: BranchStore;
  events: BranchEventSink;
  logger: Logger;
}

export const DESCRIPTION_MAX = 4096;

const CreateInput = z.object({
  name: z.string(),
  description: z.string().max(DESCRIPTION_MAX, `Description must be at most ${DESCRIPTION_MAX} characters`).nullish(),
  isolated: z.boolean().nullish(),
});

export function branchResolvers(deps: BranchResolverDeps) {
  const { store, events, logger } = deps;
  return {
    Query: {
      async branch(_: unknown, args: { name: string }): Promise<BranchView> {
        const b = await store.get(args.name);
        if (!b) throw errors.branchNotFound(args.name);
        return toBranchView(b);
      },
      async branch_list(_: unknown, args: { include_deleted?: boolean | null }): Promise<BranchView[]> {
        return (await store.list({ includeDeleted: args.include_deleted === true })).map(toBranchView);
      },
    },
    Mutation: {
      async branch_create(_: unknown, args: { data: unknown }, { ctx }: SubgraphContext): Promise<BranchView> {
        const user = requireWriter(ctx);
        const parsed = CreateInput.safeParse(args.data);
        if (!parsed.success) throw errors.validation(parsed.error.issues[0]?.message ?? 'Invalid branch', { field: String(parsed.error.issues[0]?.path[0] ?? 'data') });
        const problem = branchNameProblem(parsed.data.name);
        if (problem) throw errors.validation(problem, { field: 'name' });
        const created = await store.create({
          name: parsed.data.name,
          description: parsed.data.description ?? null,
          isolated: parsed.data.isolated ?? true,
          createdBy: user.username,
        });
        await emitBranchChange(events, logger, branchChangeOf('created', created));
        return toBranchView(created);
      },
      async branch_delete(_: unknown, args: { name: string }, { ctx }: SubgraphContext) {
        requireWriter(ctx);
        const deleted = await store.markDeleted(args.name);
        await emitBranchChange(events, logger, branchChangeOf('deleted', deleted));
        return { ok: true, id: deleted.id, branch: toBranchView(deleted) };
      },
    },
    BranchType: {
      async __resolveReference(ref: { name: string }): Promise<BranchView | null> {
        const b = await store.get(ref.name);
        return b ? toBranchView(b) : null;
      },
    },
  };
}
