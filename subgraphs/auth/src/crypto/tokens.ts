// Opaque secrets: API token generation, their sha256 digests (tokens are 256-bit random, so a
// fast hash is enough and makes lookups O(1)), the display hints kept next to the digest,
// and random initial passwords.
import { createHash, randomBytes } from 'node:crypto';

/** Generated API tokens look like `strata_<43 base64url chars>` (256 bits of randomness). */
export const API_TOKEN_PREFIX = 'strata_';

export function generateApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Hex sha256 of a token: what the database stores and looks up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Leading/trailing characters kept for display ("strata_a…wxyz"). Reveals at most a quarter
 * of a short (user-supplied) token, never more than 8 + 4 characters.
 */
export function displayParts(token: string): { prefix: string; last4: string } {
  const n = Math.min(8, Math.floor(token.length / 6));
  const m = Math.min(4, Math.floor(token.length / 8));
  return { prefix: token.slice(0, n), last4: m > 0 ? token.slice(-m) : '' };
}

/** A JWT is three base64url segments; generated API tokens never contain dots. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}
