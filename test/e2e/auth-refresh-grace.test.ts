// Auth edge cases through the real stack (issue #8, item 9): concurrent refreshes with one
// refresh token all get the same new pair within the grace window (nobody is logged out), reuse
// after the window still ends the session; the gateway's identity cache never outlives a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_ADMIN_PASSWORD, startStack, type Stack } from '../stack.ts';

const GRACE_S = 2;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ STRATA_JWT_REFRESH_GRACE: String(GRACE_S), STRATA_LOGIN_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await stack?.close();
});

interface Pair {
  access_token: string;
  refresh_token: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function login(): Promise<Pair> {
  const r = await stack.graphql(`mutation($p: String!) { login(username: "admin", password: $p) { access_token refresh_token } }`, { p: STACK_ADMIN_PASSWORD }, { token: null });
  expect(r.errors).toBeUndefined();
  return r.data!.login as Pair;
}

const restRefresh = (token: string) => fetch(`${stack.origin}/api/auth/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
const gqlRefresh = (token: string) =>
  fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($t: String!) { refresh(refresh_token: $t) { access_token refresh_token } }', variables: { t: token } }),
  });

async function me(accessToken: string): Promise<number> {
  const r = await fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query: '{ me { username } }' }),
  });
  return r.status;
}

describe('concurrent refreshes with one refresh token', () => {
  it('REST: ten at once all succeed with the same new pair, and every token works afterwards', async () => {
    const first = await login();
    const answers = await Promise.all(Array.from({ length: 10 }, () => restRefresh(first.refresh_token)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const pairs = (await Promise.all(answers.map((a) => a.json()))) as Pair[];
    expect(new Set(pairs.map((p) => p.refresh_token)).size).toBe(1);
    expect(pairs[0]!.refresh_token).not.toBe(first.refresh_token);
    for (const p of pairs) expect(await me(p.access_token)).toBe(200);
    expect(await me(first.access_token)).toBe(200); // same session, still alive
    const next = await restRefresh(pairs[0]!.refresh_token);
    expect(next.status).toBe(200);
    expect(await me(((await next.json()) as Pair).access_token)).toBe(200);
  });

  it('GraphQL: ten at once all succeed with the same new pair, and every token works afterwards', async () => {
    const first = await login();
    const answers = await Promise.all(Array.from({ length: 10 }, () => gqlRefresh(first.refresh_token)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { data?: { refresh: Pair }; errors?: unknown[] }[];
    for (const b of bodies) expect(b.errors).toBeUndefined();
    const pairs = bodies.map((b) => b.data!.refresh);
    expect(new Set(pairs.map((p) => p.refresh_token)).size).toBe(1);
    for (const p of pairs) expect(await me(p.access_token)).toBe(200);
    expect((await gqlRefresh(pairs[0]!.refresh_token)).status).toBe(200);
  });

  it('a late duplicate within the window gets the newest pair of the session, not a revocation', async () => {
    const first = await login();
    const a = (await (await restRefresh(first.refresh_token)).json()) as Pair;
    const b = (await (await restRefresh(a.refresh_token)).json()) as Pair;
    const late = await restRefresh(first.refresh_token);
    expect(late.status).toBe(200);
    expect(((await late.json()) as Pair).refresh_token).toBe(b.refresh_token);
    expect(await me(b.access_token)).toBe(200);
  });

  it('reuse after the window still ends the whole session', async () => {
    const first = await login();
    const rotated = await restRefresh(first.refresh_token);
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as Pair;
    expect(await me(next.access_token)).toBe(200);
    await sleep(GRACE_S * 1000 + 500);
    expect((await restRefresh(first.refresh_token)).status).toBe(401); // a stolen copy
    expect((await restRefresh(next.refresh_token)).status).toBe(401); // the family is revoked
    // revocation is broadcast: the gateway drops its cache; poll briefly for the event
    let status = 200;
    for (let i = 0; i < 30 && status !== 401; i++) {
      status = await me(next.access_token);
      if (status !== 401) await sleep(100);
    }
    expect(status).toBe(401);
  });
});

describe('identity cache and token expiry', () => {
  it('refuses an API token as soon as it expires, even right after it was used (cached)', async () => {
    const expires = new Date(Date.now() + 2_500);
    const created = await stack.graphql(`mutation($e: DateTime) { api_token_create(data: {name: "brief", expires: $e}) { token expires } }`, { e: expires.toISOString() });
    expect(created.errors).toBeUndefined();
    const token = created.data!.api_token_create.token as string;
    expect((await stack.graphql('{ me { username } }', {}, { token })).status).toBe(200);
    expect((await stack.graphql('{ me { username } }', {}, { token })).status).toBe(200); // cached
    await sleep(Math.max(0, expires.getTime() - Date.now()) + 200);
    const after = await stack.graphql('{ me { username } }', {}, { token });
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
