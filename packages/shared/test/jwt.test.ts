// Access-token keys and checks: HS256 from secrets, key files (ES256/RS256/EdDSA) with a `kid`
// from the key, rotation, issuer/audience/expiry with bounded skew, no algorithm confusion;
// session cookies' CSRF token and cookie parsing.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import {
  clearSessionCookies,
  csrfTokenFor,
  JWT_AUDIENCE,
  JWT_ISSUER,
  jwtKeysFromEnv,
  parseCookies,
  safeEqual,
  sessionCookies,
  signAccessToken,
  unverifiedSessionId,
  verifyAccessToken,
  verifyAccessTokenClaims,
  type Principal,
} from '../src/index.ts';

const P: Principal = { id: '6f1c2b1e-0000-4000-8000-000000000001', username: 'ann', roles: ['editor'], via: 'jwt' };
const SECRET = 'a-jwt-secret-that-is-long-enough-0123456789';
let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'strata-jwt-'));
  const pairs = {
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ed: generateKeyPairSync('ed25519'),
    ec2: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };
  for (const [name, kp] of Object.entries(pairs)) {
    files[`${name}.key`] = path.join(dir, `${name}.key`);
    files[`${name}.pub`] = path.join(dir, `${name}.pub`);
    await writeFile(files[`${name}.key`]!, kp.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    await writeFile(files[`${name}.pub`]!, kp.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('access tokens', () => {
  it('signs HS256 with STRATA_JWT_SECRET, with kid, iss, aud, exp, sid and a unique jti', async () => {
    const { current, accepted } = jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET });
    expect(current.alg).toBe('HS256');
    const a = await signAccessToken(P, current, 60, 'sid-1');
    const b = await signAccessToken(P, current, 60, 'sid-1');
    expect(a).not.toBe(b);
    const claims = await verifyAccessTokenClaims(a, accepted);
    expect(claims).toMatchObject({ principal: P, sid: 'sid-1' });
    expect(unverifiedSessionId(a)).toBe('sid-1');
    expect(() => jwtKeysFromEnv({ STRATA_JWT_SECRET: 'short' })).toThrow(/32 characters/);
  });

  it('signs with key files (ES256, RS256, EdDSA) and verifies with the public key only', async () => {
    for (const [name, alg] of [
      ['ec', 'ES256'],
      ['rsa', 'RS256'],
      ['ed', 'EdDSA'],
    ] as const) {
      const signer = jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET, STRATA_JWT_PRIVATE_KEY_FILE: files[`${name}.key`] });
      expect(signer.current.alg).toBe(alg);
      const token = await signAccessToken(P, signer.current, 60, 's');
      // a gateway holding only the public key
      const verifier = jwtKeysFromEnv({ STRATA_CONTEXT_SECRET: SECRET, STRATA_JWT_PUBLIC_KEY_FILES: files[`${name}.pub`] });
      expect(await verifyAccessToken(token, verifier.accepted)).toEqual(P);
      // tokens signed with the old secret stay valid while STRATA_JWT_SECRET is set
      const old = await signAccessToken(P, jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET }).current, 60);
      expect(await verifyAccessToken(old, signer.accepted)).toEqual(P);
      const publicOnly = verifier.accepted.find((k) => k.alg === alg)!;
      await expect(signAccessToken(P, publicOnly, 60)).rejects.toThrow(/cannot sign/);
    }
    expect(() => jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET, STRATA_JWT_PRIVATE_KEY_FILE: path.join(dir, 'missing.key') })).toThrow(/cannot read/);
  });

  it('rotates: previous secrets and key files verify, unknown kids do not', async () => {
    const OLD = 'the-previous-jwt-secret-0123456789abcdef';
    const before = await signAccessToken(P, jwtKeysFromEnv({ STRATA_JWT_SECRET: OLD }).current, 60);
    const afterRotation = jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET, STRATA_JWT_PREVIOUS_SECRETS: OLD });
    expect(await verifyAccessToken(before, afterRotation.accepted)).toEqual(P);
    expect(await verifyAccessToken(before, jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET }).accepted)).toBeNull();
    const ec2 = await signAccessToken(P, jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET, STRATA_JWT_PRIVATE_KEY_FILE: files['ec2.key'] }).current, 60);
    const rotated = jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET, STRATA_JWT_PRIVATE_KEY_FILE: files['ec.key'], STRATA_JWT_PUBLIC_KEY_FILES: `${files['ec2.pub']}` });
    expect(await verifyAccessToken(ec2, rotated.accepted)).toEqual(P);
  });

  it('checks issuer, audience, expiry (30 s skew), type and refuses algorithm confusion', async () => {
    const { current, accepted } = jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET });
    const now = Math.floor(Date.now() / 1000);
    const make = (o: { iss?: string; aud?: string; exp?: number; typ?: string; alg?: string; key?: Uint8Array }) =>
      new SignJWT({ name: P.username, roles: P.roles, typ: o.typ ?? 'access' })
        .setProtectedHeader({ alg: o.alg ?? 'HS256', kid: current.kid })
        .setSubject(P.id)
        .setIssuer(o.iss ?? JWT_ISSUER)
        .setAudience(o.aud ?? JWT_AUDIENCE)
        .setIssuedAt(now - 60)
        .setExpirationTime(o.exp ?? now + 60)
        .sign(o.key ?? (current.sign as Uint8Array));
    expect(await verifyAccessToken(await make({}), accepted)).toEqual(P);
    expect(await verifyAccessToken(await make({ exp: now - 10 }), accepted)).toEqual(P); // within the skew
    expect(await verifyAccessToken(await make({ exp: now - 60 }), accepted)).toBeNull();
    expect(await verifyAccessToken(await make({ iss: 'someone' }), accepted)).toBeNull();
    expect(await verifyAccessToken(await make({ aud: 'other-api' }), accepted)).toBeNull();
    expect(await verifyAccessToken(await make({ typ: 'refresh' }), accepted)).toBeNull();
    expect(await verifyAccessToken(await make({ alg: 'HS512', key: new Uint8Array(64).fill(1) }), accepted)).toBeNull();
    // an HS256 token "signed" with the public key of an asymmetric kid
    const ec = jwtKeysFromEnv({ STRATA_JWT_SECRET: SECRET, STRATA_JWT_PRIVATE_KEY_FILE: files['ec.key'] });
    const confused = await new SignJWT({ name: 'x', roles: ['admin'], typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', kid: ec.current.kid })
      .setSubject('x')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(files['ec.pub']!));
    expect(await verifyAccessToken(confused, ec.accepted)).toBeNull();
    expect(await verifyAccessToken('not.a.jwt', accepted)).toBeNull();
  });
});

describe('session cookies', () => {
  it('derives the CSRF token from the session and compares in constant time', () => {
    const t = csrfTokenFor(SECRET, 'sid-1');
    expect(t).toBe(csrfTokenFor(SECRET, 'sid-1'));
    expect(t).not.toBe(csrfTokenFor(SECRET, 'sid-2'));
    expect(t).not.toBe(csrfTokenFor('another-secret-that-is-long-enough-000', 'sid-1'));
    expect(safeEqual(t, t)).toBe(true);
    expect(safeEqual(t, `${t}x`)).toBe(false);
  });

  it('writes HttpOnly/SameSite/Secure cookies and parses Cookie headers', () => {
    const set = sessionCookies({ secret: SECRET, sid: 's', accessToken: 'a.b.c', refreshToken: 'strata_rt_x', accessTtl: 3600, refreshTtl: 604800, secure: true });
    expect(set[0]).toBe('strata_access=a.b.c; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax');
    expect(set[1]).toBe('strata_refresh=strata_rt_x; Path=/api/auth; Max-Age=604800; HttpOnly; Secure; SameSite=Strict');
    expect(set[2]).toMatch(/^strata_csrf=[\w-]+; Path=\/; Max-Age=604800; Secure; SameSite=Strict$/);
    expect(clearSessionCookies(false).every((c) => /Max-Age=0/.test(c) && !/Secure/.test(c))).toBe(true);
    expect(parseCookies('a=1; b="two"; a=3; c=%20x; bad; =y')).toEqual({ a: '1', b: 'two', c: ' x' });
  });
});
