// CSRF defence for REST calls authenticated by the browser session cookies (docs/auth.md): any
// method other than GET/HEAD/OPTIONS must send `X-CSRF-Token` with the session's CSRF token
// (the `strata_csrf` cookie, an HMAC of the login session id). Calls with Authorization or
// X-API-Key headers are not cookie-authenticated and pass; so does the password login, which
// takes only a JSON body (a cross-site form cannot send one without a CORS preflight).
import type { NextFunction, Request, Response } from 'express';
import { ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, csrfTokenFor, parseCookies, REFRESH_COOKIE, safeEqual, unverifiedSessionId } from '@strata/shared';
import { sendError } from '../errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const EXEMPT_PATHS = new Set(['/api/auth/login']);

/** The CSRF token this cookie session must send, or null when the request has no cookie session. */
export function expectedCsrf(cookies: Record<string, string>, secret: string | undefined): string | null {
  const access = cookies[ACCESS_COOKIE];
  if (!access && !cookies[REFRESH_COOKIE]) return null;
  const sid = access ? unverifiedSessionId(access) : null;
  // the access token names the session; with only the refresh cookie left, fall back to double submit
  if (sid && secret) return csrfTokenFor(secret, sid);
  return cookies[CSRF_COOKIE] ?? '';
}

export function csrfGuard(secret: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE.has(req.method) || EXEMPT_PATHS.has(req.originalUrl.split('?')[0]!.replace(/\/+$/, ''))) return next();
    if (req.headers.authorization || req.headers['x-api-key']) return next();
    const expected = expectedCsrf(parseCookies(req.headers.cookie), secret);
    if (expected === null) return next();
    const sent = req.header(CSRF_HEADER) ?? '';
    if (expected && sent && safeEqual(sent, expected)) return next();
    sendError(res, { status: 403, messages: [`Missing or invalid CSRF token: send the ${CSRF_HEADER} header with the value of the ${CSRF_COOKIE} cookie`] });
  };
}
