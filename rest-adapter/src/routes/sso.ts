// Single sign-on routes (docs/auth.md), for OAuth2 (`oauth2`) and OpenID Connect (`oidc`):
//   GET /api/{protocol}/{provider}/authorize[?redirect_to=/path]  -> 302 to the provider; the
//       sealed transaction (state, nonce, PKCE verifier) goes into an HttpOnly cookie
//   GET /api/{protocol}/{provider}/token?code=&state=  (the provider's redirect back)
//       -> the Strata token pair (JSON) and the session cookies, or 302 to redirect_to
//   GET /api/auth/providers  -> the configured providers
// The provider must list `<public origin>/api/{protocol}/{provider}/token` as redirect URI; the
// origin is STRATA_PUBLIC_URL, else the one the browser used (X-Forwarded-* from the gateway).
import type { Request } from 'express';
import { z } from 'zod';
import { cookieSecure, parseCookies, serializeCookie, SSO_COOKIE } from '@strata/shared';
import { RestError } from '../errors.ts';
import { operation } from '../queries/index.ts';
import { defineRoute, type RouteContext, type RouteDef, type RouteResult } from './types.ts';

const TRANSACTION_TTL_SECONDS = 600;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();

/** Origin the browser sees (scheme://host[:port]). */
export function publicOrigin(req: Request, env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATA_PUBLIC_URL) return new URL(env.STRATA_PUBLIC_URL).origin;
  const proto = first(req.headers['x-forwarded-proto']) ?? req.protocol;
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host;
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host) || !['http', 'https'].includes(proto)) throw new RestError(400, "Cannot tell this site's address: set STRATA_PUBLIC_URL");
  return `${proto}://${host}`;
}

const ProviderParam = { provider: { description: 'provider name as configured (STRATA_OIDC_PROVIDERS / STRATA_OAUTH2_PROVIDERS)', required: true } };

const Redirect = z.object({ authorization_url: z.string().describe('where the browser is sent (also in Location)') });
const SsoLogin = z.object({
  access_token: z.string().optional(),
  refresh_token: z.string().optional(),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
  redirect_to: z.string().nullable().optional().describe('set (with a 302 to it) when the sign-in was started with ?redirect_to='),
});
const Providers = z.array(z.object({ name: z.string(), protocol: z.string(), display_name: z.string(), authorize_url: z.string() }));

interface AuthorizeData {
  sso_authorize: { authorization_url: string; transaction: string };
}
interface CallbackData {
  sso_callback: { access_token: string; refresh_token: string; token_type: string; expires_in: number; redirect_to: string | null };
}

function ssoRoutes(protocol: 'oauth2' | 'oidc', label: string): RouteDef[] {
  const cookiePath = (provider: string) => `/api/${protocol}/${encodeURIComponent(provider)}`;
  const authorize = defineRoute({
    method: 'get',
    path: `/api/${protocol}/{provider}/authorize`,
    operationId: `${protocol}_authorize`,
    summary: `Start a ${label} sign-in`,
    description: `Redirects the browser to the ${label} provider (authorization code flow with state, PKCE${protocol === 'oidc' ? ' and nonce' : ''}). Open it in a browser; after the sign-in the provider sends the browser to \`/api/${protocol}/{provider}/token\`.`,
    tags: ['auth'],
    authenticated: false,
    pathParams: ProviderParam,
    queryParams: { redirect_to: { description: 'a path on this site to return to afterwards, e.g. /graphql (default: answer the tokens as JSON)' } },
    response: { status: 302, description: 'Redirect to the provider', schema: Redirect, schemaName: 'SsoRedirect' },
    errors: [404],
    async handler(ctx) {
      const provider = ctx.params.provider!.toLowerCase();
      const origin = publicOrigin(ctx.req);
      const redirectUri = `${origin}/api/${protocol}/${encodeURIComponent(provider)}/token`;
      const data = await ctx.supergraph.request<AuthorizeData>(operation('sso-authorize'), {
        protocol,
        provider,
        redirect_uri: redirectUri,
        redirect_to: ctx.query.redirect_to ?? null,
      });
      const secure = cookieSecure(process.env, ctx.req);
      return {
        status: 302,
        headers: { location: data.sso_authorize.authorization_url, 'cache-control': 'no-store' },
        cookies: [serializeCookie(SSO_COOKIE, data.sso_authorize.transaction, { maxAgeSeconds: TRANSACTION_TTL_SECONDS, path: cookiePath(provider), secure, sameSite: 'Lax' })],
        body: { authorization_url: data.sso_authorize.authorization_url },
      };
    },
  });
  const token = defineRoute({
    method: 'get',
    path: `/api/${protocol}/{provider}/token`,
    operationId: `${protocol}_token`,
    summary: `Finish a ${label} sign-in`,
    description: `The provider's redirect back (\`?code=&state=\`). Checks state${protocol === 'oidc' ? ', nonce and the ID token (signature, issuer, audience, expiry)' : ''}, signs the user in (a first sign-in creates the user when the provider allows it) and answers the Strata token pair; the browser also gets the session cookies.`,
    tags: ['auth'],
    authenticated: false,
    pathParams: ProviderParam,
    queryParams: { code: { description: 'authorization code' }, state: { description: 'state sent to the provider' } },
    response: { description: 'The Strata token pair (or a 302 to redirect_to)', schema: SsoLogin, schemaName: 'SsoLogin' },
    errors: [404],
    async handler(ctx: RouteContext): Promise<RouteResult> {
      const provider = ctx.params.provider!.toLowerCase();
      const clear = serializeCookie(SSO_COOKIE, '', { maxAgeSeconds: 0, path: cookiePath(provider), secure: cookieSecure(process.env, ctx.req) });
      const transaction = parseCookies(ctx.req.headers.cookie)[SSO_COOKIE];
      if (!transaction) throw new RestError(401, 'The sign-in was not started in this browser or took longer than 10 minutes: start again');
      // credentials of the browser play no part in a sign-in
      delete ctx.forwarded.headers.authorization;
      delete ctx.forwarded.headers['x-api-key'];
      const callbackUrl = `${publicOrigin(ctx.req)}${ctx.req.originalUrl}`;
      const data = await ctx.supergraph.request<CallbackData>(operation('sso-callback'), { protocol, provider, callback_url: callbackUrl, transaction });
      const r = data.sso_callback;
      if (r.redirect_to) return { status: 302, headers: { location: r.redirect_to, 'cache-control': 'no-store' }, cookies: [clear], body: { redirect_to: r.redirect_to } };
      return { headers: { 'cache-control': 'no-store' }, cookies: [clear], body: r };
    },
  });
  return [authorize, token];
}

export const providersRoute = defineRoute({
  method: 'get',
  path: '/api/auth/providers',
  operationId: 'auth_providers',
  summary: 'Single sign-on providers',
  description: 'The OAuth2 and OIDC providers of this installation, with the URL that starts a sign-in.',
  tags: ['auth'],
  authenticated: false,
  response: { description: 'Providers', schema: Providers, schemaName: 'SsoProviders' },
  async handler(ctx) {
    const data = await ctx.supergraph.request<{ sso_providers: z.infer<typeof Providers> }>(operation('sso-providers'));
    return { body: data.sso_providers };
  },
});

export const ssoRouteList: RouteDef[] = [...ssoRoutes('oauth2', 'OAuth2'), ...ssoRoutes('oidc', 'OpenID Connect'), providersRoute];
