// Strata access tokens (JWT via jose): issued by the auth subgraph at login/refresh and verified
// locally by every gateway. Keys: STRATA_JWT_SECRET (HS256; default derived from
// STRATA_CONTEXT_SECRET) or key files (STRATA_JWT_PRIVATE_KEY_FILE: PEM PKCS#8 RSA / EC P-256 /
// Ed25519 -> RS256 / ES256 / EdDSA). `kid` names the key so keys can rotate: older keys stay
// valid for verification while listed in STRATA_JWT_PREVIOUS_SECRETS or
// STRATA_JWT_PUBLIC_KEY_FILES. Issuer, audience and a bounded clock skew are always checked.
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { PrincipalSchema, RoleSchema, type Principal } from './context.ts';

export const JWT_ISSUER = 'strata';
export const JWT_AUDIENCE = 'strata-api';
/** accepted clock difference between the issuing and the verifying machine (seconds) */
export const JWT_CLOCK_TOLERANCE_S = 30;

export type JwtAlg = 'HS256' | 'RS256' | 'ES256' | 'EdDSA';

export interface JwtKey {
  kid: string;
  alg: JwtAlg;
  /** verification key (the secret itself for HS256) */
  verify: KeyObject | Uint8Array;
  /** signing key; absent for public keys that only verify */
  sign?: KeyObject | Uint8Array;
}

function secretKey(secret: string): JwtKey {
  const bytes = new TextEncoder().encode(secret);
  return { kid: createHash('sha256').update(bytes).digest('base64url').slice(0, 12), alg: 'HS256', verify: bytes, sign: bytes };
}

function algOf(key: KeyObject): JwtAlg {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  throw new Error(`unsupported JWT key type ${key.asymmetricKeyType} (use RSA, EC P-256 or Ed25519)`);
}

/** RFC 7638 JWK thumbprint of a public key: a stable `kid`. */
function thumbprint(pub: KeyObject): string {
  const jwk = pub.export({ format: 'jwk' }) as Record<string, string>;
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url').slice(0, 16);
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function privateKeyFile(file: string): JwtKey {
  const priv = createPrivateKey(readPem(file, 'STRATA_JWT_PRIVATE_KEY_FILE'));
  const pub = createPublicKey(priv);
  return { kid: thumbprint(pub), alg: algOf(priv), verify: pub, sign: priv };
}

function publicKeyFile(file: string): JwtKey {
  const pem = readPem(file, 'STRATA_JWT_PUBLIC_KEY_FILES');
  // a private key file is accepted too (its public half is used)
  const pub = /PRIVATE KEY/.test(pem) ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  return { kid: thumbprint(pub), alg: algOf(pub), verify: pub };
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The signing key and every key accepted for verification. A gateway with only
 * STRATA_JWT_PUBLIC_KEY_FILES (no private key) verifies; only the auth subgraph signs.
 */
export function jwtKeysFromEnv(env: NodeJS.ProcessEnv = process.env): { current: JwtKey; accepted: JwtKey[] } {
  const base = env.STRATA_JWT_SECRET || (env.STRATA_CONTEXT_SECRET ? createHash('sha256').update(`strata-jwt:${env.STRATA_CONTEXT_SECRET}`).digest('base64url') : '');
  if (!base || base.length < 32) throw new Error('STRATA_JWT_SECRET (or STRATA_CONTEXT_SECRET) must be set, at least 32 characters');
  const secret = secretKey(base);
  const fromFile = env.STRATA_JWT_PRIVATE_KEY_FILE ? privateKeyFile(env.STRATA_JWT_PRIVATE_KEY_FILE) : null;
  const current = fromFile ?? secret;
  const accepted = [current];
  // after switching to a key file, tokens signed with an explicit secret stay valid until it is removed
  if (fromFile && env.STRATA_JWT_SECRET) accepted.push(secret);
  accepted.push(...list(env.STRATA_JWT_PREVIOUS_SECRETS).map(secretKey), ...list(env.STRATA_JWT_PUBLIC_KEY_FILES).map(publicKeyFile));
  return { current, accepted };
}

export function accessTokenTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.STRATA_JWT_ACCESS_TTL ?? 3600);
}

export function refreshTokenTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.STRATA_JWT_REFRESH_TTL ?? 7 * 24 * 3600);
}

/**
 * `sid`: the login session (refresh token family) the access token belongs to. `opts.issuedAt`
 * (s since the epoch, default now) and `opts.jti` (default random) let the issuer sign the same
 * token again (the auth subgraph answers a duplicate refresh with the pair it already issued).
 */
export async function signAccessToken(p: Principal, key: JwtKey, ttlSeconds: number, sid?: string, opts: { issuedAt?: number; jti?: string } = {}): Promise<string> {
  if (!key.sign) throw new Error('this JWT key cannot sign (public key only)');
  const iat = opts.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ name: p.username, roles: p.roles, typ: 'access', ...(sid ? { sid } : {}) })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(p.id)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setJti(opts.jti ?? randomUUID())
    .setExpirationTime(iat + ttlSeconds)
    .sign(key.sign);
}

/** true when the credential has the shape of a JWT (three base64url parts). */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential);
}

const Claims = z.object({
  sub: z.string(),
  name: z.string(),
  roles: z.array(RoleSchema),
  typ: z.literal('access'),
  sid: z.string().optional(),
  iat: z.number().optional(),
  exp: z.number(),
});

export interface AccessTokenClaims {
  principal: Principal;
  /** login session id (absent in tokens issued before sessions were tracked) */
  sid: string | null;
  /** expiry, seconds since the epoch */
  exp: number;
}

/** The claims of a valid access token, or null (expired, forged, unknown key, wrong issuer/audience). */
export async function verifyAccessTokenClaims(token: string, keys: JwtKey[]): Promise<AccessTokenClaims | null> {
  let header: { kid?: string; alg?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return null;
  }
  // the key is chosen by kid, and the algorithm by the key (never by the token: no alg confusion)
  const key = keys.find((k) => k.kid === header.kid);
  if (!key || header.alg !== key.alg) return null;
  try {
    const { payload } = await jwtVerify(token, key.verify, {
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithms: [key.alg],
      clockTolerance: JWT_CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'sub'],
    });
    const c = Claims.safeParse(payload);
    if (!c.success) return null;
    const principal = PrincipalSchema.parse({ id: c.data.sub, username: c.data.name, roles: c.data.roles, via: 'jwt' });
    return { principal, sid: c.data.sid ?? null, exp: c.data.exp };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}

/** The principal of a valid access token, or null. */
export async function verifyAccessToken(token: string, keys: JwtKey[]): Promise<Principal | null> {
  return (await verifyAccessTokenClaims(token, keys))?.principal ?? null;
}
