// Resolver map of the branching subgraph, built around the store (closures, no globals).
import { VERSION, type GraphQLResolverMap, type SubgraphContext } from '@strata/shared';
import { branchResolvers, type BranchResolverDeps } from './branches.ts';
import { DateTimeScalar } from './scalars.ts';

export interface ResolverDeps extends BranchResolverDeps {
  /** the installation's deployment id (loaded once at start) */
  deploymentId: string;
}

export function createResolvers(deps: ResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const branches = branchResolvers(deps);
  const info = { deployment_id: deps.deploymentId, version: VERSION };
  return {
    DateTime: DateTimeScalar,
    Query: { ...branches.Query, info: () => info },
    Mutation: branches.Mutation,
    BranchType: branches.BranchType,
  } as GraphQLResolverMap<SubgraphContext>;
}
