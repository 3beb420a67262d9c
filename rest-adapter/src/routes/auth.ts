// Session routes (docs/auth.md): POST /api/auth/login {username, password} -> token pair;
// POST /api/auth/refresh with the refresh token as Bearer -> a new pair; POST /api/auth/logout
// (refresh token as Bearer, or the caller's credentials: all their sessions). Browsers: the
// gateway sets the session cookies on the login/refresh answers (passed through here) and
// clears them on logout; refresh and logout also take the refresh token from its cookie
// (those calls need the X-CSRF-Token header, see auth-csrf.ts).
import { z } from 'zod';
import { parseCookies, REFRESH_COOKIE } from '@strata/shared';
import { RestError } from '../errors.ts';
import { operation } from '../queries/index.ts';
import { defineRoute, type RouteContext } from './types.ts';

const TokenPair = z.object({ access_token: z.string(), refresh_token: z.string(), token_type: z.string(), expires_in: z.number() });
const LoginBody = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** The refresh token of the browser session (cookie), when the caller sent no Bearer token. */
function refreshCookie(ctx: RouteContext): string | null {
  return parseCookies(ctx.req.headers.cookie)[REFRESH_COOKIE] || null;
}

/** Takes the Bearer token out of the forwarded headers: it is a refresh token, not an identity. */
function takeBearer(ctx: RouteContext): string | null {
  const auth = ctx.forwarded.headers.authorization;
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (!m) return null;
  delete ctx.forwarded.headers.authorization;
  return m[1]!;
}

export const loginRoute = defineRoute({
  method: 'post',
  path: '/api/auth/login',
  operationId: 'auth_login',
  summary: 'Log in with a password',
  tags: ['auth'],
  authenticated: false,
  body: { kind: 'json', description: 'Credentials', schema: LoginBody, schemaName: 'LoginRequest', required: true },
  response: { description: 'An access token (JWT) and a refresh token', schema: TokenPair, schemaName: 'TokenPair' },
  async handler(ctx) {
    const parsed = LoginBody.safeParse(ctx.body);
    if (!parsed.success) throw new RestError(400, 'Body must be {"username": "...", "password": "..."}');
    delete ctx.forwarded.headers.authorization;
    const data = await ctx.supergraph.request<{ login: z.infer<typeof TokenPair> }>(operation('auth-login'), parsed.data);
    return { body: data.login };
  },
});

export const refreshRoute = defineRoute({
  method: 'post',
  path: '/api/auth/refresh',
  operationId: 'auth_refresh',
  summary: 'Rotate a refresh token',
  description:
    'Send the refresh token as `Authorization: Bearer <refresh token>` (browsers: the `strata_refresh` cookie set at login, with the `X-CSRF-Token` header). Reusing an old refresh token ends the session.',
  tags: ['auth'],
  authenticated: false,
  response: { description: 'A new token pair', schema: TokenPair, schemaName: 'TokenPair' },
  async handler(ctx) {
    const token = takeBearer(ctx) ?? refreshCookie(ctx);
    if (!token) throw new RestError(401, 'Send the refresh token as Authorization: Bearer <token>');
    const data = await ctx.supergraph.request<{ refresh: z.infer<typeof TokenPair> }>(operation('auth-refresh'), { refresh_token: token });
    return { body: data.refresh };
  },
});

export const logoutRoute = defineRoute({
  method: 'post',
  path: '/api/auth/logout',
  operationId: 'auth_logout',
  summary: 'End a session',
  description:
    "With a refresh token as Bearer (or the `strata_refresh` cookie): ends that session and clears the session cookies. With other credentials: ends all of the caller's sessions.",
  tags: ['auth'],
  response: { description: 'Done', schema: z.object({ ok: z.boolean() }), schemaName: 'LogoutResult' },
  async handler(ctx) {
    const auth = ctx.forwarded.headers.authorization ?? '';
    const bearer = /^Bearer\s+(strata_rt_\S+)\s*$/i.exec(auth);
    const refresh = bearer ? takeBearer(ctx) : ctx.forwarded.headers.authorization || ctx.forwarded.headers['x-api-key'] ? null : refreshCookie(ctx);
    const data = await ctx.supergraph.request<{ logout: { ok: boolean } }>(operation('auth-logout'), { refresh_token: refresh });
    return { body: data.logout };
  },
});
