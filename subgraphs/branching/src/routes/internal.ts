// Internal HTTP endpoint for the gateway (not part of the GraphQL schema):
//   POST /internal/branch {name} -> 200 {name, status, branched_from, isolated}
//                                 | 404 {errors: [{message, extensions: {code: BRANCH_NOT_FOUND}}]}
// The gateway calls it once per request on a non-default branch to build the signed context.
// Deleted branches answer 404 (they cannot be queried). Callers need a signed context for
// audience `branching`. Malformed JSON gets 400 from the subgraph server's error handler.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { errors, type Logger, type SubgraphServerOptions } from '@strata/shared';
import { BranchStatus } from '../db.ts';
import { toBranchMeta } from '../resolvers/mappers.ts';
import type { BranchStore } from '../store/index.ts';

export const BRANCH_META_PATH = '/internal/branch';

export const BranchMetaRequestSchema = z.object({ name: z.string().min(1).max(1000) });

type Routes = NonNullable<SubgraphServerOptions['routes']>;

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function internalRoutes(opts: { secret: string; audience: string; store: BranchStore; logger: Logger }): Routes {
  return (app, { requireContext }) => {
    app.post(BRANCH_META_PATH, requireContext(opts.secret, opts.audience), express.json({ limit: '16kb' }), async (req: Request, res: Response) => {
      const parsed = BranchMetaRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        fail(res, 400, 'BAD_USER_INPUT', 'Expected {name: string}');
        return;
      }
      try {
        const branch = await opts.store.get(parsed.data.name);
        if (!branch || branch.status === BranchStatus.DELETED) {
          fail(res, 404, 'BRANCH_NOT_FOUND', errors.branchNotFound(parsed.data.name).message);
          return;
        }
        res.json(toBranchMeta(branch));
      } catch (err) {
        opts.logger.error({ err }, 'branch lookup failed');
        fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    });
  };
}
