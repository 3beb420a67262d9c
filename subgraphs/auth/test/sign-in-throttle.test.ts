// Sign-in throttling in the auth subgraph: `/internal/sign-in-attempt` (the gateway's per-client
// rate limit) counts in the shared store and refuses with 429 + retry_after over the limit; only
// Strata services may call it; the settings are checked at start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_HEADER, systemPrincipal } from '@strata/shared';
import { refreshGraceMs } from '../src/sessions.ts';
import { clientLimitFromEnv } from '../src/throttle.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { contextToken, startAuth, type RunningAuth } from './helpers.ts';

const LIMIT = 3;
let db: TestDatabase;
let auth: RunningAuth;

beforeAll(async () => {
  db = await createTestDatabase('auth_throttle');
  auth = await startAuth(db.url, 'auth', { STRATA_LOGIN_RATE_LIMIT: String(LIMIT) });
});
afterAll(async () => {
  await auth?.close();
  await db?.drop();
});

async function attempt(body: unknown, user = systemPrincipal('gateway')) {
  const res = await fetch(new URL('/internal/sign-in-attempt', auth.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await contextToken({ user }) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { ok?: boolean; retry_after?: number; errors?: { extensions: { code: string } }[] },
  };
}

describe('POST /internal/sign-in-attempt', () => {
  it('allows STRATA_LOGIN_RATE_LIMIT attempts a minute per client, then answers 429 with retry_after', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await attempt({ client: '192.0.2.10' })).body).toEqual({ ok: true });
    const over = await attempt({ client: '192.0.2.10' });
    expect(over.status).toBe(429);
    expect(over.body.retry_after).toBeGreaterThan(0);
    expect(over.body.retry_after).toBeLessThanOrEqual(60);
    expect(over.retryAfter).toBe(String(over.body.retry_after));
    expect((await attempt({ client: '192.0.2.11' })).status).toBe(200); // another client
  });

  it('is for Strata services only and checks its body', async () => {
    expect((await attempt({ client: '192.0.2.20' }, { id: 'u1', username: 'u', roles: ['admin'], via: 'token' })).status).toBe(403);
    expect((await attempt({})).status).toBe(400);
    expect((await attempt({ client: 'x'.repeat(600) })).status).toBe(400);
    const unsigned = await fetch(new URL('/internal/sign-in-attempt', auth.baseUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"client":"a"}' });
    expect(unsigned.status).toBe(401);
  });
});

describe('settings', () => {
  it('STRATA_LOGIN_RATE_LIMIT: a whole number, 0 = off, default 30', () => {
    expect(clientLimitFromEnv({})).toBe(30);
    expect(clientLimitFromEnv({ STRATA_LOGIN_RATE_LIMIT: '0' })).toBe(0);
    expect(clientLimitFromEnv({ STRATA_LOGIN_RATE_LIMIT: '12' })).toBe(12);
    for (const bad of ['-1', '1.5', 'many']) expect(() => clientLimitFromEnv({ STRATA_LOGIN_RATE_LIMIT: bad })).toThrow(/STRATA_LOGIN_RATE_LIMIT/);
  });

  it('STRATA_JWT_REFRESH_GRACE: seconds from 0 (off) to 300, default 10', () => {
    expect(refreshGraceMs({})).toBe(10_000);
    expect(refreshGraceMs({ STRATA_JWT_REFRESH_GRACE: '0' })).toBe(0);
    expect(refreshGraceMs({ STRATA_JWT_REFRESH_GRACE: '2.5' })).toBe(2_500);
    for (const bad of ['-1', '301', 'soon']) expect(() => refreshGraceMs({ STRATA_JWT_REFRESH_GRACE: bad })).toThrow(/STRATA_JWT_REFRESH_GRACE/);
  });

  it('a bad value stops the auth subgraph at start', async () => {
    await expect(startAuth(db.url, 'auth', { STRATA_LOGIN_RATE_LIMIT: 'lots' })).rejects.toThrow(/STRATA_LOGIN_RATE_LIMIT/);
  });
});
