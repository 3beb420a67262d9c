// The signed request context (x-strata-context) cannot be forged, tampered with, used for
// another subgraph, used after it expired or replayed; clients cannot smuggle one through the
// gateway.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { CONTEXT_HEADER, newRequestContext, signContext, type Principal } from '@strata/shared';
import { startStack, type Stack } from '../../../test/stack.ts';
import { TEST_SECRET } from '../../../test/support.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const VIEWER: Principal = { id: randomUUID(), username: 'vic', roles: ['viewer'], via: 'token' };
const WRITE = `mutation { tag_create(data: {name: "ctx-test", slug: "ctx-test"}) { id } }`;
const READ = `{ tag_list { total_count } }`;

async function direct(subgraph: 'inventory' | 'auth', header: string | null, query = READ) {
  const url = stack.env[`${subgraph.toUpperCase()}_URL`]!;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(header ? { [CONTEXT_HEADER]: header } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}

it('accepts a genuine context once and refuses its replay', async () => {
  const token = await signContext(newRequestContext({ user: VIEWER }), { secret: TEST_SECRET, audience: 'inventory' });
  const first = await direct('inventory', token);
  expect(first.status).toBe(200);
  expect(first.body.errors).toBeUndefined();
  const replay = await direct('inventory', token);
  expect(replay.status).toBe(401);
  expect(replay.body.errors?.[0]?.message).toMatch(/Replayed/);
});

it('refuses missing, forged, tampered, foreign, expired and unsigned contexts', async () => {
  expect((await direct('inventory', null)).status).toBe(401);
  const forged = await signContext(newRequestContext({ user: { ...VIEWER, roles: ['admin'] } }), {
    secret: 'an-attacker-secret-that-is-long-enough-0123456789',
    audience: 'inventory',
  });
  expect((await direct('inventory', forged, WRITE)).status).toBe(401);

  // a viewer's genuine context with the roles in the payload changed to admin
  const genuine = await signContext(newRequestContext({ user: VIEWER }), { secret: TEST_SECRET, audience: 'inventory' });
  const [h, p, s] = genuine.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { ctx: { user: Principal } };
  payload.ctx.user.roles = ['admin'];
  const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  expect((await direct('inventory', tampered, WRITE)).status).toBe(401);

  // signed for the auth subgraph, sent to inventory
  const foreign = await signContext(newRequestContext({ user: VIEWER }), { secret: TEST_SECRET, audience: 'auth' });
  expect((await direct('inventory', foreign)).status).toBe(401);

  const now = Math.floor(Date.now() / 1000);
  const expired = await new SignJWT({ ctx: newRequestContext({ user: VIEWER }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'strata-ctx' })
    .setIssuer('strata-gateway')
    .setAudience('inventory')
    .setJti(randomUUID())
    .setIssuedAt(now - 600)
    .setExpirationTime(now - 300)
    .sign(new TextEncoder().encode(TEST_SECRET));
  expect((await direct('inventory', expired)).status).toBe(401);

  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'strata-ctx' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ctx: newRequestContext({ user: { ...VIEWER, roles: ['admin'] } }), iss: 'strata-gateway', aud: 'auth', exp: now + 60 })).toString('base64url')}.`;
  expect((await direct('auth', unsigned, `{ user_list { total_count } }`)).status).toBe(401);
});

it('ignores a context a client sends to the gateway', async () => {
  const smuggled = await signContext(newRequestContext({ user: { ...VIEWER, roles: ['admin'] } }), {
    secret: 'an-attacker-secret-that-is-long-enough-0123456789',
    audience: 'inventory',
  });
  const res = await fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: smuggled },
    body: JSON.stringify({ query: READ }),
  });
  expect(res.status).toBe(401);
  const rest = await fetch(`${stack.origin}/api/schema`, { headers: { [CONTEXT_HEADER]: smuggled } });
  expect(rest.status).toBe(401);
});

it('a signed-in viewer cannot smuggle an admin context (even one signed with the real secret)', async () => {
  const created = await stack.graphql(`mutation { user_create(data: {username: "smuggler", password: "smuggler-pass-1", roles: ["viewer"]}) { id } }`);
  expect(created.errors).toBeUndefined();
  const login = await stack.graphql(`mutation { login(username: "smuggler", password: "smuggler-pass-1") { access_token } }`, {}, { token: null });
  const bearer = login.data!.login.access_token as string;
  const admin: Principal = { id: randomUUID(), username: 'admin', roles: ['admin'], via: 'token' };
  for (const secret of [TEST_SECRET, 'an-attacker-secret-that-is-long-enough-0123456789']) {
    const smuggled = await signContext(newRequestContext({ user: admin }), { secret, audience: 'inventory' });
    const res = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, [CONTEXT_HEADER]: smuggled },
      body: JSON.stringify({ query: WRITE }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    // the gateway signs the viewer's own context: the write is refused as the viewer's
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const read = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, [CONTEXT_HEADER]: smuggled },
      body: JSON.stringify({ query: READ }),
    });
    expect(read.status).toBe(200);
  }
  const tags = await stack.graphql(`{ tag_list(filters: {slug: {exact: "ctx-test"}}) { total_count } }`);
  expect(tags.data!.tag_list.total_count).toBe(0);
});
