// Resolver map of the auth subgraph, built around the store (closures, no globals).
import { DateTimeScalar, type GraphQLResolverMap, type SubgraphContext } from '@strata/shared';
import { apiTokenResolvers } from './api-tokens.ts';
import { userResolvers, type ResolverDeps } from './users.ts';

export type { ResolverDeps };

export function createResolvers(deps: ResolverDeps): GraphQLResolverMap<SubgraphContext> {
  const users = userResolvers(deps);
  const tokens = apiTokenResolvers(deps);
  return {
    DateTime: DateTimeScalar,
    Query: { ...users.Query, ...tokens.Query },
    Mutation: { ...tokens.Mutation },
    UserType: users.UserType,
  } as GraphQLResolverMap<SubgraphContext>;
}
