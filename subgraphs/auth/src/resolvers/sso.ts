// Query.sso_providers, Mutation.sso_authorize / sso_callback (public through the gateway): the
// GraphQL side of the REST routes /api/{oauth2|oidc}/{provider}/authorize|token.
import { errors, type SubgraphContext } from '@strata/shared';
import type { SsoService } from '../sso/service.ts';
import { refuseTimeTravel } from './guards.ts';

const PROTOCOLS = new Set(['oauth2', 'oidc']);

function protocolOf(v: string): string {
  const p = v.toLowerCase();
  if (!PROTOCOLS.has(p)) throw errors.badInput('protocol must be oauth2 or oidc', { field: 'protocol' });
  return p;
}

export function ssoResolvers(sso: SsoService) {
  return {
    Query: {
      sso_providers: () => sso.list(),
    },
    Mutation: {
      async sso_authorize(_: unknown, a: { protocol: string; provider: string; redirect_uri: string; redirect_to?: string | null }, { ctx }: SubgraphContext) {
        refuseTimeTravel(ctx);
        return sso.authorize(protocolOf(a.protocol), a.provider, a.redirect_uri, a.redirect_to ?? null);
      },
      async sso_callback(_: unknown, a: { protocol: string; provider: string; callback_url: string; transaction: string }, { ctx }: SubgraphContext) {
        refuseTimeTravel(ctx);
        return sso.callback(protocolOf(a.protocol), a.provider, a.callback_url, a.transaction);
      },
    },
  };
}
