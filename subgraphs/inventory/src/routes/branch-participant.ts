// Internal participant endpoints the branching subgraph drives (never exposed through the
// gateway): diff, validate, merge, rebase. Routes only parse, call the store
// (branch-changes.ts, merge.ts) and answer.
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import { contextOf, StrataError, type Logger } from '@strata/shared';
import type { InventoryRuntime } from '../resolvers/request-state.ts';
import { diffBranch, type BranchRef } from '../store/branch-changes.ts';
import { mergeBranch, rebaseBranch } from '../store/merge.ts';

const Body = z.object({
  branch: z.string().min(1),
  branched_from: z.string().datetime({ offset: true }),
  kinds: z.array(z.string()).optional(),
  resolutions: z.array(z.object({ conflict_id: z.string(), selected: z.enum(['BRANCH', 'MAIN']) })).default([]),
  /** who asked for a merge or rebase (recorded in the change log) */
  actor: z.object({ id: z.string().nullable(), username: z.string().nullable() }).optional(),
});

export interface ParticipantFaults {
  /** called inside the merge transaction after the writes, before commit (tests inject failures) */
  beforeMergeCommit?: () => void | Promise<void>;
}

export function branchParticipantRoutes(getRuntime: () => InventoryRuntime, logger: Logger, faults: ParticipantFaults = {}) {
  return (app: Express, helpers: { requireContext: (secret: string, audience: string) => express.RequestHandler }, secret: string) => {
    const router = express.Router();
    router.use(express.json({ limit: '1mb' }), helpers.requireContext(secret, 'inventory'), (req, res, next) => {
      if (contextOf(res).user?.via !== 'system') {
        res.status(403).json({ errors: [{ message: 'internal endpoint', extensions: { code: 'FORBIDDEN' } }] });
        return;
      }
      next();
    });
    const handle = (fn: (body: z.infer<typeof Body>, ref: BranchRef, req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
      const parsed = Body.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ errors: [{ message: parsed.error.issues[0]?.message ?? 'bad request', extensions: { code: 'BAD_USER_INPUT' } }] });
        return;
      }
      try {
        const ref = { name: parsed.data.branch, branchedFrom: new Date(parsed.data.branched_from) };
        res.json(await fn(parsed.data, ref, req, res));
      } catch (err) {
        if (err instanceof StrataError) {
          res.status(err.code === 'CONFLICT' ? 409 : 400).json({ errors: [{ message: err.message, extensions: err.extensions }] });
          return;
        }
        logger.error({ err }, 'participant operation failed');
        res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      }
    };

    router.post('/diff', handle(async (body, ref) => ({ nodes: await diffBranch(getRuntime().pool, getRuntime().schema, ref, { kinds: body.kinds }) })));
    router.post('/validate', handle(async (_body, ref) => {
      const nodes = await diffBranch(getRuntime().pool, getRuntime().schema, ref);
      return { conflicts: nodes.flatMap((n) => n.conflicts) };
    }));
    const actorOf = (body: z.infer<typeof Body>, res: Response) => ({
      // the person who asked for the operation (branching passes it on); the system otherwise
      userId: body.actor?.id ?? null,
      userName: body.actor?.username ?? contextOf(res).user?.username ?? null,
      requestId: contextOf(res).requestId,
    });
    router.post('/merge', handle(async (body, ref, _req, res) => {
      const rt = getRuntime();
      const result = await mergeBranch({ pool: rt.pool, schema: rt.schema, branch: ref, resolutions: body.resolutions, actor: actorOf(body, res), beforeCommit: faults.beforeMergeCommit });
      rt.onCommitted();
      return result;
    }));
    router.post('/rebase', handle(async (body, ref, _req, res) => {
      const rt = getRuntime();
      return rebaseBranch({ pool: rt.pool, schema: rt.schema, branch: ref, resolutions: body.resolutions, actor: actorOf(body, res) });
    }));
    app.use('/internal/branch', router);
  };
}

