// Resolver map of the branching subgraph, built around the store (closures, no globals).
import { VERSION, type GraphQLResolverMap, type SubgraphContext, DateTimeScalar, JSONScalar } from '@strata/shared';
import { branchResolvers, type BranchResolverDeps } from './branches.ts';
import { operationResolvers, type OperationDeps } from './operations.ts';

export interface ResolverDeps extends BranchResolverDeps, OperationDeps {
  /** the installation's deployment id (loaded once at start) */
  deploymentId: string;
}

export function createResolvers(deps: ResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const branches = branchResolvers(deps);
  const ops = operationResolvers(deps);
  const info = { deployment_id: deps.deploymentId, version: VERSION };
  return {
    DateTime: DateTimeScalar,
    JSON: JSONScalar,
    Query: { ...branches.Query, ...ops.Query, info: () => info },
    Mutation: { ...branches.Mutation, ...ops.Mutation },
    BranchType: branches.BranchType,
  } as GraphQLResolverMap<SubgraphContext>;
}
