// Browser sessions (docs/auth.md): after a login the gateway sets an HttpOnly access-token cookie
// (`strata_access`, path /), an HttpOnly refresh-token cookie limited to /api/auth
// (`strata_refresh`) and a readable CSRF cookie (`strata_csrf`). A request authenticated by
// cookie that can change anything must echo the CSRF value in `X-CSRF-Token`; the value is an
// HMAC of the login session id, so it cannot be guessed or planted (signed double submit).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ACCESS_COOKIE = 'strata_access';
export const REFRESH_COOKIE = 'strata_refresh';
export const CSRF_COOKIE = 'strata_csrf';
/** the OAuth2/OIDC transaction of one browser (state, nonce, PKCE verifier; encrypted) */
export const SSO_COOKIE = 'strata_sso';
export const CSRF_HEADER = 'x-csrf-token';
export const REFRESH_COOKIE_PATH = '/api/auth';

/** Constant-time string comparison (false for different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** The CSRF token of a login session. */
export function csrfTokenFor(secret: string, sid: string): string {
  const key = createHash('sha256').update(`strata-csrf:${secret}`).digest();
  return createHmac('sha256', key).update(sid).digest('base64url');
}

/**
 * The `sid` claim of an access token WITHOUT verifying it (only to pick the expected CSRF token;
 * the token itself is verified by whoever authenticates with it).
 */
export function unverifiedSessionId(jwt: string): string | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const sid = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid?: unknown }).sid;
    return typeof sid === 'string' ? sid : null;
  } catch {
    return null;
  }
}

/** Cookie header -> name/value map (first occurrence wins, values URI-decoded when possible). */
export function parseCookies(header: string | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    if (!name || name in out) continue;
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'Strict' | 'Lax';
}

/** A Set-Cookie header value. maxAgeSeconds 0 deletes the cookie. */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, `Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`];
  if (o.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (o.httpOnly !== false) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  parts.push(`SameSite=${o.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}

/**
 * Whether cookies get the Secure attribute: STRATA_COOKIE_SECURE=true|false, or (default `auto`)
 * when the browser talks HTTPS to us (directly or through a proxy setting X-Forwarded-Proto).
 */
export function cookieSecure(env: NodeJS.ProcessEnv, req: { protocol?: string; headers: Record<string, string | string[] | undefined> }): boolean {
  const setting = (env.STRATA_COOKIE_SECURE ?? 'auto').toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(setting)) return true;
  if (['false', '0', 'no', 'off'].includes(setting)) return false;
  const fwd = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim() ?? req.protocol;
  return proto === 'https';
}

/** The three session cookies for a fresh token pair. */
export function sessionCookies(opts: {
  secret: string;
  sid: string;
  accessToken: string;
  refreshToken: string | null;
  accessTtl: number;
  refreshTtl: number;
  secure: boolean;
}): string[] {
  const csrf = csrfTokenFor(opts.secret, opts.sid);
  const out = [serializeCookie(ACCESS_COOKIE, opts.accessToken, { maxAgeSeconds: opts.accessTtl, secure: opts.secure, sameSite: 'Lax' })];
  if (opts.refreshToken)
    out.push(serializeCookie(REFRESH_COOKIE, opts.refreshToken, { maxAgeSeconds: opts.refreshTtl, path: REFRESH_COOKIE_PATH, secure: opts.secure, sameSite: 'Strict' }));
  out.push(serializeCookie(CSRF_COOKIE, csrf, { maxAgeSeconds: opts.refreshTtl, httpOnly: false, secure: opts.secure, sameSite: 'Strict' }));
  return out;
}

/** Set-Cookie values that delete the session cookies (logout). */
export function clearSessionCookies(secure: boolean): string[] {
  return [
    serializeCookie(ACCESS_COOKIE, '', { maxAgeSeconds: 0, secure }),
    serializeCookie(REFRESH_COOKIE, '', { maxAgeSeconds: 0, path: REFRESH_COOKIE_PATH, secure, sameSite: 'Strict' }),
    serializeCookie(CSRF_COOKIE, '', { maxAgeSeconds: 0, httpOnly: false, secure, sameSite: 'Strict' }),
  ];
}
