// Branch operations driven through the participants: diff, validate, merge, rebase
// (CONTRACT §5-6). Merges move the status OPEN/NEED_REBASE -> MERGING -> MERGED with a
// compare-and-set, so two merges of one branch never run together; a failure puts the branch
// back to OPEN and passes the error on with its code.
import { errors, type Logger, type RequestContext, type SubgraphContext } from '@strata/shared';
import { DEFAULT_BRANCH } from '../branch-name.ts';
import { BranchStatus } from '../db.ts';
import { branchChangeOf, emitBranchChange, type BranchEventSink } from '../events.ts';
import { ParticipantClient, type Conflict, type NodeChange, type Resolution } from '../participants/client.ts';
import type { Participant } from '../participants/registry.ts';
import type { Branch, BranchStore } from '../store/index.ts';
import { requireWriter } from './guards.ts';
import { toBranchView } from './mappers.ts';

export interface OperationDeps {
  store: BranchStore;
  events: BranchEventSink;
  logger: Logger;
  participants: Participant[];
  secret: string;
}

interface Pagination {
  offset?: number | null;
  limit?: number | null;
}

const conflictView = (c: Conflict) => ({ id: c.id, kind: c.kind, node_id: c.node_id, field: c.field, type: c.type, base_value: c.base ?? null, branch_value: c.branch ?? null, main_value: c.main ?? null });

function nodeView(n: NodeChange) {
  return {
    kind: n.kind,
    id: n.id,
    display: n.display,
    action: n.action,
    conflict: n.conflicts.length > 0,
    elements: n.fields.map((f) => ({ name: f.name, old_value: f.old ?? null, new_value: f.new ?? null, main_value: f.main ?? null, conflict: f.conflict })),
    conflicts: n.conflicts.map(conflictView),
  };
}

export function operationResolvers(deps: OperationDeps) {
  const { store, events, logger, participants, secret } = deps;

  async function openBranch(name: string): Promise<Branch> {
    if (name === DEFAULT_BRANCH) throw errors.validation(`This operation needs a branch other than ${DEFAULT_BRANCH}`);
    const b = await store.get(name);
    if (!b || b.status === BranchStatus.DELETED) throw errors.branchNotFound(name);
    return b;
  }
  const refOf = (b: Branch) => ({ branch: b.name, branched_from: b.branchedFrom.toISOString() });

  async function collectDiff(ctx: RequestContext, b: Branch, kinds?: string[] | null): Promise<NodeChange[]> {
    const client = new ParticipantClient(secret, ctx);
    const parts = await Promise.all(participants.map((p) => client.diff(p, refOf(b), kinds ?? undefined)));
    return parts.flatMap((p) => p.nodes);
  }

  async function collectConflicts(ctx: RequestContext, b: Branch): Promise<Conflict[]> {
    const client = new ParticipantClient(secret, ctx);
    const parts = await Promise.all(participants.map((p) => client.validate(p, refOf(b))));
    return parts.flatMap((p) => p.conflicts);
  }

  async function emit(action: 'updated', b: Branch | null) {
    if (b) await emitBranchChange(events, logger, branchChangeOf(action, b));
  }

  return {
    Query: {
      async branch_diff(_: unknown, args: { name: string; kinds?: string[] | null; pagination?: Pagination | null }, { ctx }: SubgraphContext) {
        const b = await openBranch(args.name);
        const nodes = await collectDiff(ctx, b, args.kinds);
        const offset = args.pagination?.offset ?? 0;
        const limit = args.pagination?.limit ?? 100;
        if (offset < 0 || limit < 0) throw errors.badInput('pagination offset and limit must not be negative');
        return {
          branch: b.name,
          branched_from: b.branchedFrom,
          summary: {
            num_added: nodes.filter((n) => n.action === 'ADDED').length,
            num_updated: nodes.filter((n) => n.action === 'UPDATED').length,
            num_removed: nodes.filter((n) => n.action === 'REMOVED').length,
            num_conflicts: nodes.reduce((acc, n) => acc + n.conflicts.length, 0),
          },
          total_count: nodes.length,
          page_info: { offset, limit },
          nodes: nodes.slice(offset, offset + limit).map(nodeView),
        };
      },
    },
    Mutation: {
      async branch_validate(_: unknown, args: { name: string }, { ctx }: SubgraphContext) {
        const b = await openBranch(args.name);
        const conflicts = await collectConflicts(ctx, b);
        // NEED_REBASE marks a branch whose changes clash with main's
        if (conflicts.length && b.status === BranchStatus.OPEN) await emit('updated', await store.transition(b.name, [BranchStatus.OPEN], BranchStatus.NEED_REBASE));
        if (!conflicts.length && b.status === BranchStatus.NEED_REBASE) await emit('updated', await store.transition(b.name, [BranchStatus.NEED_REBASE], BranchStatus.OPEN));
        return { ok: conflicts.length === 0, conflicts: conflicts.map(conflictView) };
      },

      async branch_merge(_: unknown, args: { name: string; resolutions?: Resolution[] | null }, { ctx }: SubgraphContext) {
        requireWriter(ctx);
        const b = await openBranch(args.name);
        if (b.status === BranchStatus.MERGED) throw errors.validation(`Branch ${b.name} is already merged`);
        const merging = await store.transition(b.name, [BranchStatus.OPEN, BranchStatus.NEED_REBASE], BranchStatus.MERGING);
        if (!merging) throw errors.conflict(`Branch ${b.name} is being merged already`, { branch: b.name });
        await emit('updated', merging);
        const client = new ParticipantClient(secret, ctx);
        try {
          let mergedAt = new Date(0);
          // One participant today; with several, this loop becomes prepare-all then commit-all.
          for (const p of participants) {
            const r = await client.merge(p, refOf(merging), args.resolutions ?? []);
            if (new Date(r.merged_at) > mergedAt) mergedAt = new Date(r.merged_at);
          }
          const merged = await store.transition(b.name, [BranchStatus.MERGING], BranchStatus.MERGED, { mergedAt });
          await emit('updated', merged);
          return toBranchView(merged!);
        } catch (err) {
          await emit('updated', await store.transition(b.name, [BranchStatus.MERGING], BranchStatus.OPEN));
          throw err;
        }
      },

      async branch_rebase(_: unknown, args: { name: string; resolutions?: Resolution[] | null }, { ctx }: SubgraphContext) {
        requireWriter(ctx);
        const b = await openBranch(args.name);
        if (b.status !== BranchStatus.OPEN && b.status !== BranchStatus.NEED_REBASE) throw errors.validation(`Branch ${b.name} is ${b.status.toLowerCase()} and cannot be rebased`);
        const client = new ParticipantClient(secret, ctx);
        let branchedFrom = b.branchedFrom;
        for (const p of participants) {
          const r = await client.rebase(p, refOf(b), args.resolutions ?? []);
          if (new Date(r.branched_from) > branchedFrom) branchedFrom = new Date(r.branched_from);
        }
        const rebased = await store.transition(b.name, [BranchStatus.OPEN, BranchStatus.NEED_REBASE], BranchStatus.OPEN, { branchedFrom });
        if (!rebased) throw errors.conflict(`Branch ${b.name} changed status during the rebase`);
        await emit('updated', rebased);
        return toBranchView(rebased);
      },
    },
  };
}
