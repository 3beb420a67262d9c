// Access-token (JWT) checks behind `/internal/authenticate`: the signature, issuer, audience and
// expiry (shared `verifyAccessTokenClaims`), then what only the auth database knows: the user is
// still active and the login session (`sid`) was not logged out or revoked. The answer carries
// the user's CURRENT roles, so a role change takes effect before the token expires.
import { jwtKeysFromEnv, looksLikeJwt, verifyAccessTokenClaims, type Principal, type Role } from '@strata/shared';

export type JwtVerification =
  /** a valid Strata access token; `expires` is its `exp` */
  | { ok: true; principal: Principal; expires: Date }
  /** a Strata access token that is expired, forged, logged out or for a disabled user */
  | { ok: false; message: string };

export interface AccessTokenVerifier {
  /** `null` when the credential is not a Strata-issued JWT (then it is tried as an API token). */
  verify(credential: string): Promise<JwtVerification | null>;
}

/** What the verifier needs from the database. */
export interface SessionLookup {
  /** the user's current state, or null when deleted */
  user(id: string): Promise<{ username: string; roles: Role[]; isActive: boolean } | null>;
  sessionAlive(sid: string, userId: string): Promise<boolean>;
}

/** A verifier that accepts no JWT (bearer credentials are then API tokens only). */
export const noJwtVerifier: AccessTokenVerifier = {
  async verify() {
    return null;
  },
};

/** Verifies Strata access tokens with the installation's keys and the session state. */
export function jwtVerifier(env: NodeJS.ProcessEnv, lookup: SessionLookup): AccessTokenVerifier {
  const keys = jwtKeysFromEnv(env).accepted;
  return {
    async verify(credential) {
      if (!looksLikeJwt(credential)) return null;
      const claims = await verifyAccessTokenClaims(credential, keys);
      if (!claims) return { ok: false, message: 'Invalid or expired access token' };
      const user = await lookup.user(claims.principal.id);
      if (!user?.isActive) return { ok: false, message: 'User account is disabled or no longer exists' };
      if (claims.sid && !(await lookup.sessionAlive(claims.sid, claims.principal.id))) return { ok: false, message: 'The session has ended: log in again' };
      return { ok: true, principal: { ...claims.principal, username: user.username, roles: user.roles }, expires: new Date(claims.exp * 1000) };
    },
  };
}
