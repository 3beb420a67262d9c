// Resolver map of the auth subgraph, built around the store (closures, no globals).
import { DateTimeScalar, errors, type GraphQLResolverMap, type SubgraphContext } from '@strata/shared';
import type { SessionService } from '../sessions.ts';
import type { SsoService } from '../sso/service.ts';
import { ssoResolvers } from './sso.ts';
import { apiTokenResolvers } from './api-tokens.ts';
import { userAdminResolvers } from './user-admin.ts';
import { userResolvers, type ResolverDeps } from './users.ts';

export type { ResolverDeps };

export function createResolvers(deps: ResolverDeps & { sessions: SessionService; sso: SsoService }): GraphQLResolverMap<SubgraphContext> {
  const users = userResolvers(deps);
  const tokens = apiTokenResolvers(deps);
  const { sessions } = deps;
  const sso = ssoResolvers(deps.sso);
  const noTimeTravel = (c: SubgraphContext) => {
    if (c.ctx.at) throw errors.badInput('Writes with at are refused');
  };
  return {
    DateTime: DateTimeScalar,
    Query: { ...users.Query, ...tokens.Query, ...sso.Query },
    Mutation: {
      ...tokens.Mutation,
      ...sso.Mutation,
      ...userAdminResolvers(deps),
      login: (_: unknown, a: { username: string; password: string }, c: SubgraphContext) => {
        noTimeTravel(c);
        return sessions.login(a.username, a.password);
      },
      refresh: (_: unknown, a: { refresh_token: string }, c: SubgraphContext) => {
        noTimeTravel(c);
        return sessions.refresh(a.refresh_token);
      },
      logout: async (_: unknown, a: { refresh_token?: string | null }, c: SubgraphContext) => {
        noTimeTravel(c);
        if (!a.refresh_token && !c.ctx.user) throw errors.unauthenticated();
        await sessions.logout(a.refresh_token ?? null, c.ctx.user);
        return { ok: true };
      },
    },
    UserType: users.UserType,
  } as GraphQLResolverMap<SubgraphContext>;
}
