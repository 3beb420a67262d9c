// Turns a credential the gateway received (docs/api.md#paths: `Token`, `Bearer`, `X-API-Key`) into a
// principal. API tokens are looked up by sha256; bearer credentials that are JWTs go to the
// access-token verifier first (issue 5), anything else is tried as an API token.
import { z } from 'zod';
import type { Logger, Principal } from '@strata/shared';
import { looksLikeJwt } from './crypto/tokens.ts';
import type { AccessTokenVerifier } from './jwt.ts';
import type { ApiTokenStore } from './store/api-tokens.ts';

export const AuthenticateRequestSchema = z.object({
  scheme: z.enum(['token', 'bearer', 'x-api-key']),
  credential: z.string().min(1).max(4096),
});
export type AuthenticateRequest = z.infer<typeof AuthenticateRequestSchema>;

/** `expires`: when the credential stops working (API token expiry, access token `exp`); null = never. */
export type AuthenticateResult = { ok: true; principal: Principal; expires: Date | null } | { ok: false; message: string };

export interface AuthenticatorDeps {
  apiTokens: ApiTokenStore;
  jwt: AccessTokenVerifier;
  logger: Logger;
}

const MESSAGES = {
  unknown: 'Invalid token',
  revoked: 'Token has been revoked',
  expired: 'Token has expired',
  user_inactive: 'User account is disabled',
} as const;

export async function authenticate(deps: AuthenticatorDeps, req: AuthenticateRequest): Promise<AuthenticateResult> {
  const credential = req.credential.trim();
  if (!credential) return { ok: false, message: MESSAGES.unknown };
  if (req.scheme === 'bearer' && looksLikeJwt(credential)) {
    const jwt = await deps.jwt.verify(credential);
    if (jwt) return jwt;
  }
  const found = await deps.apiTokens.lookup(credential);
  if (found.status !== 'ok') return { ok: false, message: MESSAGES[found.status] };
  const { token } = found;
  try {
    await deps.apiTokens.touch(token);
  } catch (err) {
    // bookkeeping only: never fail an authentication because last_used_at could not be written
    deps.logger.warn({ err, tokenId: token.id }, 'could not record token use');
  }
  return {
    ok: true,
    principal: { id: token.user.id, username: token.user.username, roles: token.user.roles, via: 'token' },
    expires: token.expiresAt,
  };
}
