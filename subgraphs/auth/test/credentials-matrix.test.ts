// Every auth operation (GraphQL and REST) through the real gateway with no, bad, expired,
// revoked and insufficient credentials; access tokens stop working as soon as their session is
// logged out or their user's roles change.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { JWT_AUDIENCE, JWT_ISSUER, jwtKeysFromEnv } from '@strata/shared';
import { STACK_ADMIN_TOKEN, startStack, type Stack } from '../../../test/stack.ts';

let stack: Stack;
let adminId: string;
let adminTokenId: string;
const cred: Record<string, string> = {};

type Answer = { status: number; body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] } };

async function call(authorization: string | null, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function login(username: string, password: string): Promise<{ access_token: string; refresh_token: string }> {
  const r = await call(null, `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { access_token refresh_token } }`, { u: username, p: password });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data!.login;
}

async function sql(text: string, values: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: stack.db.url });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** Polls until the credential is refused (revocations reach gateways through the bus). */
async function until401(authorization: string, query = '{ me { username } }'): Promise<number> {
  let status = 200;
  for (let i = 0; i < 30 && status !== 401; i++) {
    status = (await call(authorization, query)).status;
    if (status !== 401) await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

beforeAll(async () => {
  stack = await startStack({ STRATA_LOGIN_RATE_LIMIT: '1000' });
  const admin = `Token ${STACK_ADMIN_TOKEN}`;
  const me = await call(admin, `{ me { id } api_token_list { results { id name } } }`);
  adminId = me.body.data!.me.id;
  adminTokenId = (me.body.data!.api_token_list.results as { id: string; name: string }[]).find((t) => t.name === 'initial')!.id;
  for (const [username, roles] of [
    ['vera', 'viewer'],
    ['eddie', 'editor'],
    ['revoked-user', 'viewer'],
  ] as const) {
    const r = await call(admin, `mutation($u: String!, $r: [String!]) { user_create(data: {username: $u, password: "password-${username}", roles: $r}) { id } }`, {
      u: username,
      r: [roles],
    });
    expect(r.body.errors).toBeUndefined();
  }
  cred.viewer = `Bearer ${(await login('vera', 'password-vera')).access_token}`;
  cred.editor = `Bearer ${(await login('eddie', 'password-eddie')).access_token}`;

  // API tokens of the viewer: one expired (moved into the past in the database), one revoked
  const t1 = await call(cred.viewer, `mutation { api_token_create(data: {name: "soon-expired", expires: "2099-01-01T00:00:00Z"}) { id token } }`);
  await sql(`UPDATE auth.api_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1`, [t1.body.data!.api_token_create.id]);
  cred.expiredApiToken = `Token ${t1.body.data!.api_token_create.token}`;
  const t2 = await call(cred.viewer, `mutation { api_token_create(data: {name: "revoked"}) { id token } }`);
  await call(cred.viewer, `mutation($id: ID!) { api_token_revoke(id: $id) { id } }`, { id: t2.body.data!.api_token_create.id });
  cred.revokedApiToken = `Token ${t2.body.data!.api_token_create.token}`;

  // an access token signed with the installation's key that expired two minutes ago (beyond the skew)
  const key = jwtKeysFromEnv(stack.env).current;
  const now = Math.floor(Date.now() / 1000);
  cred.expiredJwt = `Bearer ${await new SignJWT({ name: 'admin', roles: ['admin'], typ: 'access', sid: randomUUID() })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(adminId)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(now - 3720)
    .setExpirationTime(now - 120)
    .sign(key.sign!)}`;
  // an access token of a session that was logged out
  const s = await login('revoked-user', 'password-revoked-user');
  await call(null, `mutation($t: String) { logout(refresh_token: $t) { ok } }`, { t: s.refresh_token });
  cred.loggedOutJwt = `Bearer ${s.access_token}`;
  expect(await until401(cred.loggedOutJwt)).toBe(401);
});

afterAll(async () => {
  await stack?.close();
});

const BAD = {
  'an unknown API token': 'Token strata_this-token-does-not-exist',
  'an unknown bearer token': 'Bearer not-a-token',
  'a JWT signed with another key':
    'Bearer eyJhbGciOiJIUzI1NiIsImtpZCI6Ind4eXoiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4IiwibmFtZSI6ImFkbWluIiwicm9sZXMiOlsiYWRtaW4iXSwidHlwIjoiYWNjZXNzIiwiaXNzIjoic3RyYXRhIiwiYXVkIjoic3RyYXRhLWFwaSIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJlLWRvZXMtbm90LW1hdGNoLWF0LWFsbA',
  'a malformed Authorization header': 'Basic YWRtaW46YWRtaW4=',
};

/** GraphQL operations of the auth subgraph and what a viewer gets. */
function operations() {
  return [
    { name: 'me', query: `{ me { username } }`, viewer: 'ok' },
    { name: 'user', query: `{ user(id: "${adminId}") { username } }`, viewer: 'FORBIDDEN' },
    { name: 'user_list', query: `{ user_list { total_count } }`, viewer: 'FORBIDDEN' },
    { name: 'api_token_list', query: `{ api_token_list { total_count } }`, viewer: 'ok' },
    { name: 'api_token_create', query: `mutation { api_token_create(data: {name: "matrix"}) { id } }`, viewer: 'ok' },
    // someone else's token looks like a missing one
    { name: 'api_token_revoke', query: `mutation { api_token_revoke(id: "${adminTokenId}") { id } }`, viewer: 'NODE_NOT_FOUND' },
    { name: 'user_create', query: `mutation { user_create(data: {username: "intruder", password: "intruder-pass", roles: ["admin"]}) { id } }`, viewer: 'FORBIDDEN' },
    { name: 'user_update', query: `mutation { user_update(id: "${adminId}", data: {is_active: false}) { id } }`, viewer: 'FORBIDDEN' },
    { name: 'user_delete', query: `mutation { user_delete(id: "${adminId}") { ok } }`, viewer: 'FORBIDDEN' },
    { name: 'logout (all sessions)', query: `mutation { logout { ok } }`, viewer: 'skip' },
  ];
}

describe('GraphQL operations', () => {
  it('answer 401 UNAUTHENTICATED without credentials (public ones excepted)', async () => {
    for (const op of operations()) {
      const r = await call(null, op.query);
      // logout is public (it takes a refresh token): the resolver refuses it, in a 200 answer
      if (!op.name.startsWith('logout')) expect(r.status, op.name).toBe(401);
      expect(r.body.errors?.[0]?.extensions?.code, op.name).toBe('UNAUTHENTICATED');
    }
    // public: a wrong password or refresh token is UNAUTHENTICATED, an unknown provider NODE_NOT_FOUND
    expect((await call(null, `mutation { login(username: "vera", password: "wrong") { access_token } }`)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await call(null, `mutation { refresh(refresh_token: "strata_rt_nope") { access_token } }`)).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(
      (await call(null, `mutation { sso_authorize(protocol: "oidc", provider: "none", redirect_uri: "http://x/api/oidc/none/token") { authorization_url } }`)).body.errors?.[0]
        ?.extensions?.code,
    ).toBe('NODE_NOT_FOUND');
    expect((await call(null, `{ sso_providers { name } }`)).body.data).toEqual({ sso_providers: [] });
  });

  for (const [label, key] of [
    ['bad', null],
    ['expired', 'expiredApiToken'],
    ['expired', 'expiredJwt'],
    ['revoked', 'revokedApiToken'],
    ['revoked', 'loggedOutJwt'],
  ] as const) {
    it(`answer 401 with ${label} credentials${key ? ` (${key})` : ''}`, async () => {
      const creds = key ? { [key]: cred[key]! } : BAD;
      for (const [what, authorization] of Object.entries(creds)) {
        for (const op of [...operations(), { name: 'login', query: `mutation { login(username: "vera", password: "password-vera") { access_token } }` }]) {
          const r = await call(authorization, op.query);
          expect(r.status, `${op.name} with ${what}`).toBe(401);
          expect(r.body.errors?.[0]?.extensions?.code, `${op.name} with ${what}`).toBe('UNAUTHENTICATED');
        }
      }
    });
  }

  it('answer FORBIDDEN (or not found) with insufficient credentials', async () => {
    for (const [who, authorization] of [
      ['viewer', cred.viewer!],
      ['editor', cred.editor!],
    ] as const) {
      for (const op of operations()) {
        if (op.viewer === 'skip') continue;
        const r = await call(authorization, op.query);
        if (op.viewer === 'ok') expect(r.body.errors, `${op.name} as ${who}`).toBeUndefined();
        else expect(r.body.errors?.[0]?.extensions?.code, `${op.name} as ${who}`).toBe(op.viewer);
      }
    }
    // viewers never write, editors do (docs/auth.md)
    const write = `mutation { tag_create(data: {name: "m", slug: "m"}) { id } }`;
    expect((await call(cred.viewer!, write)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await call(cred.editor!, write)).body.errors).toBeUndefined();
  });

  it('ends access tokens at once when the user is demoted', async () => {
    const r = await call(`Token ${STACK_ADMIN_TOKEN}`, `mutation { user_create(data: {username: "demoted", password: "password-demoted", roles: ["editor"]}) { id } }`);
    const id = r.body.data!.user_create.id as string;
    const jwt = `Bearer ${(await login('demoted', 'password-demoted')).access_token}`;
    expect((await call(jwt, `mutation { tag_create(data: {name: "d1", slug: "d1"}) { id } }`)).body.errors).toBeUndefined();
    await call(`Token ${STACK_ADMIN_TOKEN}`, `mutation($id: ID!) { user_update(id: $id, data: {roles: ["viewer"]}) { id } }`, { id });
    expect(await until401(jwt)).toBe(401);
    const again = `Bearer ${(await login('demoted', 'password-demoted')).access_token}`;
    expect((await call(again, `mutation { tag_create(data: {name: "d2", slug: "d2"}) { id } }`)).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('REST routes', () => {
  const post = (path: string, headers: Record<string, string> = {}, body: unknown = {}) =>
    fetch(`${stack.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('refuse no, bad, expired and revoked credentials', async () => {
    expect((await post('/api/auth/login', {}, { username: 'vera', password: 'wrong' })).status).toBe(401);
    expect((await post('/api/auth/login', {}, { username: 'vera' })).status).toBe(400);
    expect((await post('/api/auth/refresh')).status).toBe(401);
    expect((await post('/api/auth/logout')).status).toBe(401);
    expect((await fetch(`${stack.origin}/api/schema`)).status).toBe(401);
    const all = { ...BAD, expiredApiToken: cred.expiredApiToken!, expiredJwt: cred.expiredJwt!, revokedApiToken: cred.revokedApiToken!, loggedOutJwt: cred.loggedOutJwt! };
    for (const [what, authorization] of Object.entries(all)) {
      expect((await post('/api/auth/refresh', { authorization })).status, `refresh with ${what}`).toBe(401);
      expect((await post('/api/auth/logout', { authorization })).status, `logout with ${what}`).toBe(401);
      expect((await fetch(`${stack.origin}/api/schema`, { headers: { authorization } })).status, `schema with ${what}`).toBe(401);
    }
  });

  it('refuse expired, revoked and reused refresh tokens', async () => {
    const a = await login('vera', 'password-vera');
    await sql(
      `UPDATE auth.refresh_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM auth.users WHERE username = 'vera') AND revoked_at IS NULL AND replaced_by_id IS NULL AND expires_at > now() AND created_at = (SELECT max(created_at) FROM auth.refresh_tokens)`,
      [],
    );
    expect((await post('/api/auth/refresh', { authorization: `Bearer ${a.refresh_token}` })).status).toBe(401);

    const b = await login('vera', 'password-vera');
    const rotated = await post('/api/auth/refresh', { authorization: `Bearer ${b.refresh_token}` });
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { refresh_token: string };
    // move the rotation out of the grace window (STRATA_JWT_REFRESH_GRACE, 10 s): reuse is now a stolen copy
    await sql(`UPDATE auth.refresh_tokens SET created_at = created_at - interval '1 minute' WHERE user_id = (SELECT id FROM auth.users WHERE username = 'vera')`, []);
    expect((await post('/api/auth/refresh', { authorization: `Bearer ${b.refresh_token}` })).status).toBe(401); // reuse
    expect((await post('/api/auth/refresh', { authorization: `Bearer ${next.refresh_token}` })).status).toBe(401); // family revoked

    const c = await login('vera', 'password-vera');
    expect((await post('/api/auth/logout', { authorization: `Bearer ${c.refresh_token}` })).status).toBe(200);
    expect((await post('/api/auth/refresh', { authorization: `Bearer ${c.refresh_token}` })).status).toBe(401);
  });

  it('answer 404 for providers that are not configured', async () => {
    expect((await fetch(`${stack.origin}/api/oidc/nope/authorize`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${stack.origin}/api/oauth2/google/authorize`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${stack.origin}/api/oauth2/google/token?code=x&state=y`, { redirect: 'manual' })).status).toBe(401);
  });
});
