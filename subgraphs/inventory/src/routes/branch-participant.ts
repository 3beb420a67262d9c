// Inventory's participant endpoints (protocol in @strata/shared participant-protocol.ts), driven
// by the branching subgraph and never exposed through the gateway: diff, validate, merge,
// rebase. Routes only parse, call the store (branch-changes.ts, merge.ts) and answer.
import type { Express, RequestHandler } from 'express';
import { internalRoute, participantPath, ParticipantRequestSchema, type Logger, type RequestContext } from '@strata/shared';
import type { z } from 'zod';
import type { InventoryRuntime } from '../resolvers/request-state.ts';
import { diffBranch, type BranchRef } from '../store/branch-changes.ts';
import { mergeBranch, rebaseBranch } from '../store/merge.ts';
import type { Actor } from '../store/versioned-tx.ts';

export interface ParticipantFaults {
  /** called inside the merge transaction after the writes, before commit (tests inject failures) */
  beforeMergeCommit?: () => void | Promise<void>;
}

type Body = z.infer<typeof ParticipantRequestSchema>;

const refOf = (body: Body): BranchRef => ({ name: body.branch, branchedFrom: new Date(body.branched_from) });

/** The person who asked for the operation (branching passes them on); the system otherwise. */
const actorOf = (body: Body, ctx: RequestContext): Actor => ({
  userId: body.actor?.id ?? null,
  userName: body.actor?.username ?? ctx.user?.username ?? null,
  requestId: ctx.requestId,
});

export function branchParticipantRoutes(getRuntime: () => InventoryRuntime, logger: Logger, faults: ParticipantFaults = {}) {
  return (app: Express, helpers: { requireContext: (secret: string, audience: string) => RequestHandler }, secret: string) => {
    const route = (op: 'diff' | 'validate' | 'merge' | 'rebase', handler: (body: Body, ctx: RequestContext) => Promise<unknown>) =>
      internalRoute(app, {
        path: participantPath(op),
        schema: ParticipantRequestSchema,
        requireContext: helpers.requireContext,
        secret,
        audience: 'inventory',
        systemOnly: true,
        logger,
        handler,
      });

    route('diff', async (body) => ({ nodes: await diffBranch(getRuntime().pool, getRuntime().schema, refOf(body), { kinds: body.kinds }) }));
    route('validate', async (body) => {
      const nodes = await diffBranch(getRuntime().pool, getRuntime().schema, refOf(body));
      return { conflicts: nodes.flatMap((n) => n.conflicts) };
    });
    route('merge', async (body, ctx) => {
      const rt = getRuntime();
      const result = await mergeBranch({
        pool: rt.pool,
        schema: rt.schema,
        branch: refOf(body),
        resolutions: body.resolutions,
        actor: actorOf(body, ctx),
        beforeCommit: faults.beforeMergeCommit,
      });
      rt.onCommitted();
      return result;
    });
    route('rebase', async (body, ctx) => {
      const rt = getRuntime();
      return rebaseBranch({ pool: rt.pool, schema: rt.schema, branch: refOf(body), resolutions: body.resolutions, actor: actorOf(body, ctx) });
    });
  };
}
