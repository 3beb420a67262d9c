// Seam for JWT access tokens (issue 5: jose, `kid`, iss/aud, rotatable keys). Until then no
// JWT is accepted: `verifyAccessToken` answers `null` ("not mine") and bearer credentials are
// looked up as API tokens.
import { jwtKeysFromEnv, looksLikeJwt, verifyAccessToken, type Principal } from '@strata/shared';

export type JwtVerification =
  /** a valid Strata access token */
  | { ok: true; principal: Principal }
  /** a Strata access token that is expired, forged or for a disabled user */
  | { ok: false; message: string };

export interface AccessTokenVerifier {
  /** `null` when the credential is not a Strata-issued JWT (then it is tried as an API token). */
  verify(credential: string): Promise<JwtVerification | null>;
}

/** The verifier used until issue 5 brings signing keys. */
export const noJwtVerifier: AccessTokenVerifier = {
  async verify() {
    return null;
  },
};

/** Verifies Strata access tokens with the installation's keys; the user must still be active. */
export function jwtVerifier(env: NodeJS.ProcessEnv, isActive: (userId: string) => Promise<boolean>): AccessTokenVerifier {
  const keys = jwtKeysFromEnv(env).accepted;
  return {
    async verify(credential) {
      if (!looksLikeJwt(credential)) return null;
      const principal = await verifyAccessToken(credential, keys);
      if (!principal) return { ok: false, message: 'Invalid or expired access token' };
      if (!(await isActive(principal.id))) return { ok: false, message: 'User is disabled' };
      return { ok: true, principal };
    },
  };
}
