// Who is calling: `Authorization: Token <t>`, `Authorization: Bearer <t>` or `X-API-Key: <t>`.
// API tokens are checked by the auth subgraph (`/internal/authenticate`) and cached briefly by a
// hash of the credential. Strata access tokens (JWT) are verified here (signature, kid, issuer,
// audience, expiry with bounded skew): forged or expired ones never cost a round trip; whether
// their login session is still alive (and the user's current roles) is asked once per session
// and cached the same way. A revocation event clears the cache at once (`forgetAll`).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { InternalCallError, internalPost, looksLikeJwt, PrincipalSchema, verifyAccessTokenClaims, type JwtKey, type Principal } from '@strata/shared';
import { z } from 'zod';

export type Credential = { scheme: 'token' | 'bearer' | 'x-api-key'; credential: string };

/** Reads the credential from the headers; `null` when none, `'malformed'` when unusable. */
export function credentialFrom(headers: IncomingHttpHeaders): Credential | null | 'malformed' {
  const auth = headers.authorization;
  if (auth) {
    const m = /^(Token|Bearer)\s+(\S+)\s*$/i.exec(auth);
    if (!m) return 'malformed';
    return { scheme: m[1]!.toLowerCase() === 'token' ? 'token' : 'bearer', credential: m[2]! };
  }
  const key = headers['x-api-key'];
  if (typeof key === 'string' && key.trim()) return { scheme: 'x-api-key', credential: key.trim() };
  return null;
}

const Answer = z.object({ principal: PrincipalSchema });

export interface IdentityResolver {
  /** the principal, or null when the credential is not valid */
  resolve(c: Credential): Promise<Principal | null>;
  forgetAll(): void;
}

export function identityResolver(opts: { authBaseUrl: string; secret: string; ttlMs?: number; maxEntries?: number; jwtKeys?: JwtKey[] }): IdentityResolver {
  const ttl = opts.ttlMs ?? 30_000;
  const max = opts.maxEntries ?? 10_000;
  const cache = new Map<string, { principal: Principal | null; expires: number }>();
  return {
    forgetAll: () => cache.clear(),
    async resolve(c) {
      let key: string;
      if (c.scheme === 'bearer' && opts.jwtKeys && looksLikeJwt(c.credential)) {
        const claims = await verifyAccessTokenClaims(c.credential, opts.jwtKeys);
        if (!claims) return null;
        // one liveness check per login session (every access token of a session shares it)
        key = claims.sid ? `sid\0${claims.principal.id}\0${claims.sid}` : createHash('sha256').update(`jwt\0${c.credential}`).digest('base64url');
      } else {
        key = createHash('sha256').update(`${c.scheme}\0${c.credential}`).digest('base64url');
      }
      const hit = cache.get(key);
      if (hit && hit.expires > Date.now()) return hit.principal;
      let principal: Principal | null;
      try {
        const answer = Answer.parse(await internalPost('/internal/authenticate', c, { secret: opts.secret, from: 'gateway', to: 'auth', baseUrl: opts.authBaseUrl }));
        principal = answer.principal;
      } catch (err) {
        if (err instanceof InternalCallError && err.status === 401) principal = null;
        else throw err;
      }
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      // unknown credentials are cached for a shorter time
      cache.set(key, { principal, expires: Date.now() + (principal ? ttl : Math.min(ttl, 5_000)) });
      return principal;
    },
  };
}
