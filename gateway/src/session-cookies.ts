// Browser sessions at the gateway (docs/auth.md): the session cookies are set on every successful
// `login`, `refresh` and `sso_callback` answer and cleared on `logout` (Apollo plugin), and a
// request without Authorization/X-API-Key headers is authenticated by the `strata_access`
// cookie. Cookie-authenticated requests other than GET need the CSRF token (`X-CSRF-Token`,
// bound to the login session) unless they come from the REST adapter, which checks it itself
// and proves who it is with its signed service header.
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Request } from 'express';
import {
  ACCESS_COOKIE,
  accessTokenTtlSeconds,
  clearSessionCookies,
  cookieSecure,
  CSRF_HEADER,
  csrfTokenFor,
  errors,
  parseCookies,
  refreshTokenTtlSeconds,
  safeEqual,
  sessionCookies,
  unverifiedSessionId,
  verifyContext,
  type Principal,
  SERVICE_HEADER,
} from '@strata/shared';
import type { IdentityResolver } from './identity.ts';
import type { GatewayContext } from './signed-data-source.ts';

/** Root fields whose answer is a token pair: a browser gets the session cookies with it. */
export const SESSION_ISSUING_FIELDS = new Set(['login', 'refresh', 'sso_callback']);
export { SERVICE_HEADER };

export function accessCookieOf(headers: IncomingHttpHeaders): string | null {
  return parseCookies(headers.cookie)[ACCESS_COOKIE] || null;
}

async function fromRestAdapter(req: Request, secret: string): Promise<boolean> {
  const token = req.header(SERVICE_HEADER);
  if (!token) return false;
  try {
    const ctx = await verifyContext(token, { secret, audience: 'gateway' });
    return ctx.user?.via === 'system';
  } catch {
    return false;
  }
}

/**
 * The principal of a cookie session. Throws UNAUTHENTICATED for an invalid or ended session and
 * FORBIDDEN when the CSRF token is missing or wrong.
 */
export async function cookieSessionPrincipal(req: Request, token: string, deps: { identity: IdentityResolver; secret: string }): Promise<Principal> {
  const principal = await deps.identity.resolve({ scheme: 'bearer', credential: token });
  if (!principal) throw errors.unauthenticated('Your session has expired or ended: log in again');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const sid = unverifiedSessionId(token) ?? ''; // the token was verified just above
    const sent = req.header(CSRF_HEADER) ?? '';
    const ok = (sid && sent && safeEqual(sent, csrfTokenFor(deps.secret, sid))) || (await fromRestAdapter(req, deps.secret));
    if (!ok) throw errors.forbidden(`Missing or invalid CSRF token: send the ${CSRF_HEADER} header with the value of the strata_csrf cookie`);
  }
  return { ...principal, via: 'session' };
}

interface TokenPairish {
  access_token?: unknown;
  refresh_token?: unknown;
}

/** Sets or clears the session cookies on answers to login/refresh/sso_callback/logout. */
export function sessionCookiePlugin(opts: { secret: string; env: NodeJS.ProcessEnv }): ApolloServerPlugin<GatewayContext> {
  const accessTtl = accessTokenTtlSeconds(opts.env);
  const refreshTtl = refreshTokenTtlSeconds(opts.env);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const http = contextValue.http;
          if (!http || response.body.kind !== 'single') return;
          const data = response.body.singleResult.data as Record<string, unknown> | null | undefined;
          if (!data) return;
          const secure = cookieSecure(opts.env, http.req);
          const cookies: string[] = [];
          for (const [field, value] of Object.entries(data)) {
            const v = value as TokenPairish | null;
            if (SESSION_ISSUING_FIELDS.has(field) && v && typeof v.access_token === 'string') {
              const sid = unverifiedSessionId(v.access_token); // issued by the auth subgraph for this request
              if (!sid) continue;
              cookies.push(
                ...sessionCookies({
                  secret: opts.secret,
                  sid,
                  accessToken: v.access_token,
                  refreshToken: typeof v.refresh_token === 'string' ? v.refresh_token : null,
                  accessTtl,
                  refreshTtl,
                  secure,
                }),
              );
            } else if (field === 'logout' && (v as { ok?: unknown } | null)?.ok === true) {
              cookies.push(...clearSessionCookies(secure));
            }
          }
          if (cookies.length) http.res.append('set-cookie', cookies);
        },
      };
    },
  };
}
