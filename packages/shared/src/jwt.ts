// Strata access tokens (JWT, HS256 via jose): issued by the auth subgraph at login/refresh and
// verified locally by every gateway. Key from STRATA_JWT_SECRET (or derived from
// STRATA_CONTEXT_SECRET); `kid` names the key so keys can rotate (STRATA_JWT_PREVIOUS_SECRETS
// keeps older ones valid for verification).
import { createHash } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { PrincipalSchema, RoleSchema, type Principal } from './context.ts';
import { z } from 'zod';

export const JWT_ISSUER = 'strata';
export const JWT_AUDIENCE = 'strata-api';
const CLOCK_TOLERANCE_S = 30;

export interface JwtKey {
  kid: string;
  secret: Uint8Array;
}

function keyOf(secret: string): JwtKey {
  const bytes = new TextEncoder().encode(secret);
  return { kid: createHash('sha256').update(bytes).digest('base64url').slice(0, 12), secret: bytes };
}

/** The signing key and every key still accepted for verification. */
export function jwtKeysFromEnv(env: NodeJS.ProcessEnv = process.env): { current: JwtKey; accepted: JwtKey[] } {
  const base = env.STRATA_JWT_SECRET || (env.STRATA_CONTEXT_SECRET ? createHash('sha256').update(`strata-jwt:${env.STRATA_CONTEXT_SECRET}`).digest('base64url') : '');
  if (!base || base.length < 32) throw new Error('STRATA_JWT_SECRET (or STRATA_CONTEXT_SECRET) must be set, at least 32 characters');
  const current = keyOf(base);
  const previous = (env.STRATA_JWT_PREVIOUS_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(keyOf);
  return { current, accepted: [current, ...previous] };
}

export function accessTokenTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.STRATA_JWT_ACCESS_TTL ?? 3600);
}

export async function signAccessToken(p: Principal, key: JwtKey, ttlSeconds: number): Promise<string> {
  return new SignJWT({ name: p.username, roles: p.roles, typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' })
    .setSubject(p.id)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key.secret);
}

/** true when the credential has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);
}

const Claims = z.object({ sub: z.string(), name: z.string(), roles: z.array(RoleSchema), typ: z.literal('access') });

/** The principal of a valid access token, or null (expired, forged, unknown key, wrong audience). */
export async function verifyAccessToken(token: string, keys: JwtKey[]): Promise<Principal | null> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return null;
  }
  const key = keys.find((k) => k.kid === kid);
  if (!key) return null;
  try {
    const { payload } = await jwtVerify(token, key.secret, { issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithms: ['HS256'], clockTolerance: CLOCK_TOLERANCE_S });
    const c = Claims.safeParse(payload);
    if (!c.success) return null;
    return PrincipalSchema.parse({ id: c.data.sub, username: c.data.name, roles: c.data.roles, via: 'jwt' });
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}
