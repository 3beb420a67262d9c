// POST /internal/authenticate: the gateway's credential check (signed system context only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestContext, signContext, systemPrincipal } from '@strata/shared';
import { newTokenData } from '../src/store/api-tokens.ts';
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '../../../test/support.ts';
import { callAuthenticate, contextToken, startAuth, type RunningAuth } from './helpers.ts';

const ADMIN_TOKEN = 'initial-admin-token-for-authenticate-tests';
let db: TestDatabase;
let auth: RunningAuth;
let adminId: string;

async function insertToken(name: string, extra: { expiresAt?: Date; revokedAt?: Date } = {}): Promise<string> {
  const { token, data } = newTokenData({ userId: adminId, name, expiresAt: extra.expiresAt ?? null });
  await auth.prisma.apiToken.create({ data: { ...data, revokedAt: extra.revokedAt ?? null } });
  return token;
}

beforeAll(async () => {
  db = await createTestDatabase('auth_authn');
  auth = await startAuth(db.url, 'auth', { STRATA_INITIAL_ADMIN_PASSWORD: 'pw-for-tests-123', STRATA_INITIAL_ADMIN_TOKEN: ADMIN_TOKEN });
  adminId = (await auth.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } })).id;
});
afterAll(async () => {
  await auth?.close();
  await db?.drop();
});

describe('POST /internal/authenticate', () => {
  it('accepts a valid token with every scheme and records its use', async () => {
    for (const scheme of ['token', 'bearer', 'x-api-key'] as const) {
      const res = await callAuthenticate(auth.baseUrl, { scheme, credential: ADMIN_TOKEN });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ principal: { id: adminId, username: 'admin', roles: ['admin'], via: 'token' }, expires: null });
    }
    const row = await auth.prisma.apiToken.findFirstOrThrow({ where: { name: 'initial' } });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
  });

  it('tells the gateway when a token expires (its cache must not outlive it)', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const token = await insertToken('expiring', { expiresAt });
    const res = await callAuthenticate(auth.baseUrl, { scheme: 'x-api-key', credential: token });
    expect(res.status).toBe(200);
    expect((res.body as { expires?: string }).expires).toBe(expiresAt.toISOString());
  });

  it('writes last_used_at at most once a minute', async () => {
    const token = await insertToken('throttle');
    expect((await callAuthenticate(auth.baseUrl, { scheme: 'token', credential: token })).status).toBe(200);
    const first = (await auth.prisma.apiToken.findFirstOrThrow({ where: { name: 'throttle' } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    expect((await callAuthenticate(auth.baseUrl, { scheme: 'token', credential: token })).status).toBe(200);
    const second = (await auth.prisma.apiToken.findFirstOrThrow({ where: { name: 'throttle' } })).lastUsedAt;
    expect(second?.getTime()).toBe(first?.getTime());
  });

  it('refuses unknown, revoked and expired tokens with 401', async () => {
    const revoked = await insertToken('revoked', { revokedAt: new Date() });
    const expired = await insertToken('expired', { expiresAt: new Date(Date.now() - 1000) });
    const cases: [string, RegExp][] = [
      ['strata_not-a-real-token-at-all-0000000000000000000', /invalid/i],
      [revoked, /revoked/i],
      [expired, /expired/i],
    ];
    for (const [credential, message] of cases) {
      const res = await callAuthenticate(auth.baseUrl, { scheme: 'token', credential });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.body.errors?.[0]?.message).toMatch(message);
      expect(res.body.principal).toBeUndefined();
    }
  });

  it('refuses tokens of disabled users', async () => {
    const user = await auth.prisma.user.create({ data: { username: 'disabled', roles: ['viewer'], isActive: false } });
    const { token, data } = newTokenData({ userId: user.id, name: 'x' });
    await auth.prisma.apiToken.create({ data });
    const res = await callAuthenticate(auth.baseUrl, { scheme: 'token', credential: token });
    expect(res.status).toBe(401);
  });

  it('treats a JWT-shaped bearer as an API token until JWTs exist (issue 5)', async () => {
    const res = await callAuthenticate(auth.baseUrl, { scheme: 'bearer', credential: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' });
    expect(res.status).toBe(401);
  });

  it('answers 400 for a malformed body', async () => {
    for (const body of [{ scheme: 'basic', credential: 'x' }, { scheme: 'token' }, { scheme: 'token', credential: '' }]) {
      const res = await callAuthenticate(auth.baseUrl, body);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const broken = await callAuthenticate(auth.baseUrl, '{"scheme": ');
    expect(broken.status).toBe(400);
  });

  it('requires a signed context for audience auth from a system principal', async () => {
    const body = { scheme: 'token', credential: ADMIN_TOKEN };
    const missing = await callAuthenticate(auth.baseUrl, body, { ctx: null });
    expect(missing.status).toBe(401);
    expect(missing.body.principal).toBeUndefined();

    const forged = await signContext(newRequestContext({ user: systemPrincipal('gateway') }), {
      secret: 'not-the-real-secret-but-long-enough-0123456789',
      audience: 'auth',
    });
    expect((await callAuthenticate(auth.baseUrl, body, { header: forged })).status).toBe(401);
    expect((await callAuthenticate(auth.baseUrl, body, { header: 'garbage' })).status).toBe(401);

    const wrongAudience = await signContext(newRequestContext({ user: systemPrincipal('gateway') }), {
      secret: TEST_SECRET,
      audience: 'inventory',
    });
    expect((await callAuthenticate(auth.baseUrl, body, { header: wrongAudience })).status).toBe(401);

    const asUser = await contextToken({ user: { id: adminId, username: 'admin', roles: ['admin'], via: 'token' } });
    const res = await callAuthenticate(auth.baseUrl, body, { header: asUser });
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
