// The branching subgraph's internal endpoint for the gateway (not part of the GraphQL schema):
// POST /internal/branch {name} -> {name, status, branched_from, isolated} | 404 BRANCH_NOT_FOUND
// (contract in @strata/shared internal/branch-meta.ts). Deleted branches cannot be queried.
import { BRANCH_META_PATH, BranchMetaRequestSchema, errors, internalRoute, type Logger, type SubgraphServerOptions } from '@strata/shared';
import { BranchStatus } from '../db.ts';
import { toBranchMeta } from '../resolvers/mappers.ts';
import type { BranchStore } from '../store/index.ts';

type Routes = NonNullable<SubgraphServerOptions['routes']>;

export function internalRoutes(opts: { secret: string; audience: string; store: BranchStore; logger: Logger }): Routes {
  return (app, { requireContext }) => {
    internalRoute(app, {
      path: BRANCH_META_PATH,
      schema: BranchMetaRequestSchema,
      requireContext,
      secret: opts.secret,
      audience: opts.audience,
      logger: opts.logger,
      bodyLimit: '16kb',
      handler: async ({ name }) => {
        const branch = await opts.store.get(name);
        if (!branch || branch.status === BranchStatus.DELETED) throw errors.branchNotFound(name);
        return toBranchMeta(branch);
      },
    });
  };
}
