// Password login, JWT access tokens verified by the gateway, rotating refresh tokens with reuse
// detection, logout; API token revocation takes effect at once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STACK_ADMIN_PASSWORD, startStack, type Stack } from '../stack.ts';

let stack: Stack;
beforeAll(async () => {
  // strict rotation (no grace window): an immediate reuse is a stolen copy here; the grace window
  // for concurrent refreshes is covered by auth-refresh-grace.test.ts
  stack = await startStack({ STRATA_JWT_REFRESH_GRACE: '0' });
});
afterAll(async () => {
  await stack?.close();
});

const bearer = (token: string, query: string, variables: Record<string, unknown> = {}) =>
  fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });

it('logs in, uses the access token, rotates and detects refresh token reuse, logs out', async () => {
  const bad = await stack.graphql(`mutation { login(username: "admin", password: "wrong") { access_token } }`, {}, { token: null });
  expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const login = await stack.graphql(
    `mutation($p: String!) { login(username: "admin", password: $p) { access_token refresh_token token_type expires_in } }`,
    { p: STACK_ADMIN_PASSWORD },
    { token: null },
  );
  expect(login.errors).toBeUndefined();
  const pair = login.data!.login as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
  expect(pair.token_type).toBe('Bearer');
  expect(pair.expires_in).toBe(3600);
  const me = await bearer(pair.access_token, `{ me { username roles } site_list { total_count } }`);
  expect(me.status).toBe(200);
  expect(((await me.json()) as { data: { me: unknown } }).data.me).toEqual({ username: 'admin', roles: ['admin'] });
  const forged = await bearer(`${pair.access_token.slice(0, -2)}xx`, `{ site_list { total_count } }`);
  expect(forged.status).toBe(401);

  const r1 = await stack.graphql(`mutation($t: String!) { refresh(refresh_token: $t) { access_token refresh_token } }`, { t: pair.refresh_token }, { token: null });
  expect(r1.errors).toBeUndefined();
  const next = r1.data!.refresh as { access_token: string; refresh_token: string };
  expect(next.refresh_token).not.toBe(pair.refresh_token);
  // reusing the old refresh token ends the whole family, including the new one
  const reuse = await stack.graphql(`mutation($t: String!) { refresh(refresh_token: $t) { access_token } }`, { t: pair.refresh_token }, { token: null });
  expect(reuse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  const afterReuse = await stack.graphql(`mutation($t: String!) { refresh(refresh_token: $t) { access_token } }`, { t: next.refresh_token }, { token: null });
  expect(afterReuse.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

  const again = await stack.graphql(`mutation($p: String!) { login(username: "admin", password: $p) { refresh_token } }`, { p: STACK_ADMIN_PASSWORD }, { token: null });
  const rt = again.data!.login.refresh_token as string;
  const out = await stack.graphql(`mutation($t: String) { logout(refresh_token: $t) { ok } }`, { t: rt }, { token: null });
  expect(out.data!.logout.ok).toBe(true);
  const dead = await stack.graphql(`mutation($t: String!) { refresh(refresh_token: $t) { access_token } }`, { t: rt }, { token: null });
  expect(dead.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

it('locks a username out after repeated failed logins', async () => {
  for (let i = 0; i < 5; i++) await stack.graphql(`mutation { login(username: "nobody", password: "x") { access_token } }`, {}, { token: null });
  const locked = await stack.graphql(`mutation { login(username: "nobody", password: "x") { access_token } }`, {}, { token: null });
  expect(locked.errors?.[0]?.message).toMatch(/Too many failed logins/);
});

it('refuses a revoked API token at once', async () => {
  const created = await stack.graphql(`mutation { api_token_create(data: {name: "short-lived"}) { id token } }`);
  expect(created.errors).toBeUndefined();
  const { id, token } = created.data!.api_token_create as { id: string; token: string };
  expect((await stack.graphql(`{ site_list { total_count } }`, {}, { token })).status).toBe(200);
  await stack.graphql(`mutation($id: ID!) { api_token_revoke(id: $id) { id } }`, { id });
  let status = 200;
  for (let i = 0; i < 30 && status === 200; i++) {
    status = (await stack.graphql(`{ site_list { total_count } }`, {}, { token })).status;
    if (status === 200) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(401);
});

it('serves the REST session routes', async () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const bad = await post('/api/auth/login', { username: 'admin', password: 'nope' });
  expect(bad.status).toBe(401);
  expect(await bad.json()).toEqual({ errors: [expect.any(String)] });
  const login = await post('/api/auth/login', { username: 'admin', password: STACK_ADMIN_PASSWORD });
  expect(login.status).toBe(200);
  const pair = (await login.json()) as { access_token: string; refresh_token: string };
  const refreshed = await post('/api/auth/refresh', {}, { authorization: `Bearer ${pair.refresh_token}` });
  expect(refreshed.status).toBe(200);
  const next = (await refreshed.json()) as { access_token: string; refresh_token: string };
  const info = await fetch(`${stack.origin}/api/schema/DcimSite`, { headers: { authorization: `Bearer ${next.access_token}` } });
  expect(info.status).toBe(200);
  const out = await post('/api/auth/logout', {}, { authorization: `Bearer ${next.refresh_token}` });
  expect(out.status).toBe(200);
  const dead = await post('/api/auth/refresh', {}, { authorization: `Bearer ${next.refresh_token}` });
  expect(dead.status).toBe(401);
  expect((await post('/api/auth/login', { username: 'admin' })).status).toBe(400);
});
