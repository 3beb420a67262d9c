// Who is calling: `Authorization: Token <t>`, `Authorization: Bearer <t>` or `X-API-Key: <t>`.
// API tokens are checked by the auth subgraph (`/internal/authenticate`) and cached briefly by a
// hash of the credential. Strata access tokens (JWT) are verified here (signature, kid, issuer,
// audience, expiry with bounded skew): forged or expired ones never cost a round trip; whether
// their login session is still alive (and the user's current roles) is asked once per session
// and cached the same way. A cache entry never outlives the credential (an API token's `expires`
// as the auth subgraph reports it, an access token's `exp`). A revocation event clears the cache
// at once (`forgetAll`). Credentials longer than MAX_CREDENTIAL_LENGTH are refused unasked.
// While the auth service does not answer, a principal it confirmed in the last minutes is still
// served (bounded, never past the credential's end); anything else is SERVICE_UNAVAILABLE.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { InternalCallError, internalPost, looksLikeJwt, ServiceUnavailableError, PrincipalSchema, verifyAccessTokenClaims, type JwtKey, type Principal } from '@strata/shared';
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

/** The auth subgraph refuses longer credentials (no real token comes close). */
export const MAX_CREDENTIAL_LENGTH = 4096;

const Answer = z.object({
  principal: PrincipalSchema,
  /** when the credential stops working (API token `expires`, access token `exp`); null = never */
  expires: z.string().datetime({ offset: true }).nullable().optional(),
});

export interface IdentityResolver {
  /** the principal, or null when the credential is not valid */
  resolve(c: Credential): Promise<Principal | null>;
  forgetAll(): void;
}

export function identityResolver(opts: {
  authBaseUrl: string;
  secret: string;
  ttlMs?: number;
  maxEntries?: number;
  jwtKeys?: JwtKey[];
  staleWhileUnavailableMs?: number;
}): IdentityResolver {
  const ttl = opts.ttlMs ?? 30_000;
  const max = opts.maxEntries ?? 10_000;
  /** how long a known-good principal may still be served while the auth service does not answer */
  const staleMs = opts.staleWhileUnavailableMs ?? 5 * 60_000;
  const cache = new Map<string, { principal: Principal | null; expires: number; until: number }>();
  return {
    forgetAll: () => cache.clear(),
    async resolve(c) {
      if (c.credential.length > MAX_CREDENTIAL_LENGTH) return null;
      let key: string;
      /** the credential's own end (ms), when known before asking */
      let until = Infinity;
      if (c.scheme === 'bearer' && opts.jwtKeys && looksLikeJwt(c.credential)) {
        const claims = await verifyAccessTokenClaims(c.credential, opts.jwtKeys);
        if (!claims) return null;
        until = claims.exp * 1000;
        // one liveness check per login session (every access token of a session shares it)
        key = claims.sid ? `sid\0${claims.principal.id}\0${claims.sid}` : createHash('sha256').update(`jwt\0${c.credential}`).digest('base64url');
      } else {
        key = createHash('sha256').update(`${c.scheme}\0${c.credential}`).digest('base64url');
      }
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.expires > now) return hit.principal;
      let principal: Principal | null;
      try {
        const answer = Answer.parse(await internalPost('/internal/authenticate', c, { secret: opts.secret, from: 'gateway', to: 'auth', baseUrl: opts.authBaseUrl }));
        principal = answer.principal;
        if (answer.expires) until = Math.min(until, Date.parse(answer.expires));
      } catch (err) {
        // 401: not valid; 400: not even a well-formed credential
        if (err instanceof InternalCallError && (err.status === 401 || err.status === 400)) principal = null;
        // auth is down: a principal it confirmed recently keeps working (never past the
        // credential's own end) so the other subgraphs' fields still answer; revocations cannot
        // happen meanwhile, and every revocation clears this cache (forgetAll)
        else if (err instanceof ServiceUnavailableError && hit?.principal && hit.expires + staleMs > now && hit.until > now) return hit.principal;
        else throw err;
      }
      // unknown credentials are cached for a shorter time; nothing is kept past the credential's end
      const expires = Math.min(now + (principal ? ttl : Math.min(ttl, 5_000)), until);
      if (expires > now) {
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(key, { principal, expires, until });
      } else {
        cache.delete(key);
      }
      return principal;
    },
  };
}
