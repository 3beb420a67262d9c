// Branch operations driven through the participants (docs/api.md#mutations): branch_diff,
// branch_validate, branch_merge, branch_rebase.
// Merge: OPEN/NEED_REBASE -> MERGING is a compare-and-set persisted before any participant is
// called (two merges of one branch never run together; writes through the gateway stop), then
// MERGED with merged_at on success, or back to OPEN on failure with the error passed on with its
// code. Every status change is broadcast through the BranchEventSink.
import { errors, StrataError, type Logger, type RequestContext, type SubgraphContext } from '@strata/shared';
import { DEFAULT_BRANCH } from '../branch-name.ts';
import { BranchStatus } from '../db.ts';
import { branchChangeOf, emitBranchChange, type BranchEventSink } from '../events.ts';
import type { BranchRef, Conflict, NodeChange, Resolution } from '../participants/client.ts';
import { createCoordinator, type Coordinator } from '../participants/coordinator.ts';
import type { Participant } from '../participants/registry.ts';
import type { Branch, BranchStore } from '../store/index.ts';
import { refuseAt, requireUser, requireWriter } from './guards.ts';
import { toBranchView, type BranchView } from './mappers.ts';
import { pageOf, slice, type PaginationInput } from './page.ts';

export interface OperationDeps {
  store: BranchStore;
  events: BranchEventSink;
  logger: Logger;
  participants: Participant[];
  secret: string;
  /** STRATA_MAX_PAGE_SIZE */
  maxPageSize: number;
  /** a branch MERGING for longer than this may be merged again (its merger died) */
  mergeStaleSeconds: number;
}

const conflictView = (c: Conflict) => ({
  id: c.id,
  kind: c.kind,
  node_id: c.node_id,
  field: c.field,
  type: c.type,
  base_value: c.base ?? null,
  branch_value: c.branch ?? null,
  main_value: c.main ?? null,
});

function nodeView(n: NodeChange) {
  return {
    kind: n.kind,
    id: n.id,
    display: n.display,
    action: n.action,
    conflict: n.conflicts.length > 0 || n.fields.some((f) => f.conflict),
    elements: n.fields.map((f) => ({ name: f.name, old_value: f.old ?? null, new_value: f.new ?? null, main_value: f.main ?? null, conflict: f.conflict })),
    conflicts: n.conflicts.map(conflictView),
  };
}

const refOf = (b: Branch): BranchRef => ({ branch: b.name, branched_from: b.branchedFrom.toISOString() });

/** CONFLICT for a branch whose status does not allow the operation (extensions: branch, status). */
function stateConflict(b: Branch | null, name: string, op: string): StrataError {
  if (!b || b.status === BranchStatus.DELETED) return errors.branchNotFound(name);
  const why = b.status === BranchStatus.MERGING ? 'is being merged' : b.status === BranchStatus.MERGED ? 'is already merged' : `is ${b.status}`;
  return errors.conflict(`Branch ${name} ${why} and cannot be ${op}`, { branch: name, status: b.status });
}

/** One resolution per conflict id; the same id twice with different sides is a mistake. */
function resolutionsOf(input: Resolution[] | null | undefined): Resolution[] {
  const seen = new Map<string, Resolution['selected']>();
  for (const r of input ?? []) {
    const prev = seen.get(r.conflict_id);
    if (prev && prev !== r.selected)
      throw errors.badInput(`Conflict ${r.conflict_id} is resolved twice, with different sides`, { field: 'resolutions', conflict_id: r.conflict_id });
    seen.set(r.conflict_id, r.selected);
  }
  return [...seen].map(([conflict_id, selected]) => ({ conflict_id, selected }));
}

function kindsOf(kinds: string[] | null | undefined): string[] | undefined {
  if (!kinds?.length) return undefined;
  const clean = [...new Set(kinds.map((k) => k.trim()))];
  if (clean.some((k) => !k)) throw errors.badInput('kinds must not contain empty names', { field: 'kinds' });
  return clean;
}

export function operationResolvers(deps: OperationDeps) {
  const { store, events, logger, participants, secret, maxPageSize, mergeStaleSeconds } = deps;
  const coordinator = (ctx: RequestContext): Coordinator => createCoordinator({ participants, secret, logger, ctx });

  /** A branch other than main that can be operated on (not DELETED). */
  async function liveBranch(name: string, op: string): Promise<Branch> {
    if (name === DEFAULT_BRANCH) throw errors.validation(`${op} needs a branch other than ${DEFAULT_BRANCH}`, { field: 'name' });
    const b = await store.get(name);
    if (!b || b.status === BranchStatus.DELETED) throw errors.branchNotFound(name);
    return b;
  }

  async function emit(b: Branch | null): Promise<void> {
    if (b) await emitBranchChange(events, logger, branchChangeOf('updated', b));
  }

  /** MERGING -> OPEN after a failed merge; never hides the merge's own error. */
  async function reopen(name: string): Promise<void> {
    try {
      await emit(await store.transition(name, [BranchStatus.MERGING], BranchStatus.OPEN));
    } catch (err) {
      logger.error({ err, branch: name }, 'could not put the branch back to OPEN after a failed merge (a later merge may claim it once stale)');
    }
  }

  /** MERGING -> MERGED, retried: the participants have committed, so this must not be lost. */
  async function finishMerge(name: string, mergedAt: Date): Promise<Branch> {
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const merged = await store.transition(name, [BranchStatus.MERGING], BranchStatus.MERGED, { mergedAt });
        if (merged) return merged;
        // someone else finished it (a merge that claimed it as stale)
        const now = await store.get(name);
        if (now?.status === BranchStatus.MERGED) return now;
        throw errors.internal(`Branch ${name} was merged but changed status meanwhile (${now?.status ?? 'missing'})`);
      } catch (err) {
        if (err instanceof StrataError) throw err;
        lastErr = err;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
    logger.error(
      { err: lastErr, branch: name },
      `branch merged on every participant but status MERGED could not be stored; merging it again after ${mergeStaleSeconds} s completes it`,
    );
    throw errors.internal(`Branch ${name} was merged but its status could not be recorded`);
  }

  return {
    Query: {
      async branch_diff(_: unknown, args: { name: string; kinds?: string[] | null; pagination?: PaginationInput | null }, { ctx }: SubgraphContext) {
        refuseAt(ctx, 'branch_diff');
        const page = pageOf(args.pagination, maxPageSize, 'branch_diff');
        const kinds = kindsOf(args.kinds);
        const b = await liveBranch(args.name, 'branch_diff');
        const nodes = await coordinator(ctx).diff(refOf(b), kinds);
        let added = 0;
        let updated = 0;
        let removed = 0;
        let conflicts = 0;
        for (const n of nodes) {
          if (n.action === 'ADDED') added++;
          else if (n.action === 'UPDATED') updated++;
          else removed++;
          conflicts += n.conflicts.length;
        }
        return {
          branch: b.name,
          branched_from: b.branchedFrom,
          summary: { num_added: added, num_updated: updated, num_removed: removed, num_conflicts: conflicts },
          total_count: nodes.length,
          page_info: page,
          nodes: slice(nodes, page).map(nodeView),
        };
      },
    },
    Mutation: {
      async branch_validate(_: unknown, args: { name: string }, { ctx }: SubgraphContext) {
        refuseAt(ctx, 'branch_validate');
        requireUser(ctx);
        const b = await liveBranch(args.name, 'branch_validate');
        const conflicts = await coordinator(ctx).validate(refOf(b));
        // NEED_REBASE marks a branch whose changes clash with main's; a clean validate clears it
        if (conflicts.length && b.status === BranchStatus.OPEN) await emit(await store.transition(b.name, [BranchStatus.OPEN], BranchStatus.NEED_REBASE));
        if (!conflicts.length && b.status === BranchStatus.NEED_REBASE) await emit(await store.transition(b.name, [BranchStatus.NEED_REBASE], BranchStatus.OPEN));
        return { ok: conflicts.length === 0, conflicts: conflicts.map(conflictView) };
      },

      async branch_merge(_: unknown, args: { name: string; resolutions?: Resolution[] | null }, { ctx }: SubgraphContext): Promise<BranchView> {
        requireWriter(ctx);
        const resolutions = resolutionsOf(args.resolutions);
        const b = await liveBranch(args.name, 'branch_merge');
        const merging = await store.claimMerge(b.name, mergeStaleSeconds);
        if (!merging) throw stateConflict(await store.get(b.name), b.name, 'merged');
        await emit(merging);
        let mergedAt: Date;
        try {
          mergedAt = (await coordinator(ctx).merge(refOf(merging), resolutions)).mergedAt;
        } catch (err) {
          await reopen(b.name);
          throw err;
        }
        const merged = await finishMerge(b.name, mergedAt);
        await emit(merged);
        return toBranchView(merged);
      },

      async branch_rebase(_: unknown, args: { name: string; resolutions?: Resolution[] | null }, { ctx }: SubgraphContext): Promise<BranchView> {
        requireWriter(ctx);
        const resolutions = resolutionsOf(args.resolutions);
        const b = await liveBranch(args.name, 'branch_rebase');
        if (b.status !== BranchStatus.OPEN && b.status !== BranchStatus.NEED_REBASE) throw stateConflict(b, b.name, 'rebased');
        const { branchedFrom } = await coordinator(ctx).rebase(refOf(b), resolutions);
        const rebased = await store.rebased(b.name, branchedFrom);
        if (!rebased) throw stateConflict(await store.get(b.name), b.name, 'rebased');
        await emit(rebased);
        return toBranchView(rebased);
      },
    },
  };
}
