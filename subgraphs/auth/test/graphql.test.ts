// The auth subgraph's GraphQL API behind the signed-context gate: me, users (admins) and API tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@strata/shared';
import { printSchemaSdl } from '../src/schema/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { callAuthenticate, contextToken, gql, startAuth, userPrincipal, type RunningAuth } from './helpers.ts';

let db: TestDatabase;
let auth: RunningAuth;
let admin: Principal;
let viewer: Principal;
let editor: Principal;

const TOKEN_FIELDS = 'id display class_type name prefix last4 expires revoked last_used created is_active token user { id username }';

beforeAll(async () => {
  db = await createTestDatabase('auth_gql');
  auth = await startAuth(db.url, 'auth', { STRATA_INITIAL_ADMIN_PASSWORD: 'pw-for-tests-123', STRATA_INITIAL_ADMIN_TOKEN: 'initial-token-for-graphql-tests' });
  const a = await auth.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  admin = userPrincipal(a);
  viewer = userPrincipal(await auth.prisma.user.create({ data: { username: 'vera', roles: ['viewer'] } }));
  editor = userPrincipal(await auth.prisma.user.create({ data: { username: 'eddie', roles: ['editor'] } }));
});
afterAll(async () => {
  await auth?.close();
  await db?.drop();
});

describe('context gate', () => {
  it('rejects a request without context', async () => {
    const res = await gql(auth.url, '{ me { id } }', {}, null);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects a forged context', async () => {
    const forged = await contextToken({ user: admin }, { secret: 'a-different-secret-that-is-long-enough-42' });
    const res = await gql(auth.url, '{ me { id } }', {}, null, forged);
    expect(res.status).toBe(401);
  });

  it('rejects a context signed for another subgraph', async () => {
    const other = await contextToken({ user: admin }, { audience: 'inventory' });
    const res = await gql(auth.url, '{ me { id } }', {}, null, other);
    expect(res.status).toBe(401);
  });
});

describe('me', () => {
  it('returns the authenticated user', async () => {
    const res = await gql(auth.url, '{ me { id display class_type username roles is_active created last_updated } }', {}, { user: viewer });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.me).toMatchObject({ id: viewer.id, display: 'vera', class_type: 'User', username: 'vera', roles: ['viewer'], is_active: true });
    const me = res.body.data?.me as { created: string };
    expect(new Date(me.created).toISOString()).toBe(me.created);
  });

  it('is UNAUTHENTICATED for anonymous requests', async () => {
    const res = await gql(auth.url, '{ me { id } }', {}, { user: null });
    expect(res.body.data?.me).toBeNull();
    expect(res.body.errors?.[0]).toMatchObject({ path: ['me'], extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('users', () => {
  it('lists users for admins in the v2 list shape', async () => {
    const q = `query($f: UserFilter, $p: OffsetPaginationInput) { user_list(filters: $f, pagination: $p) {
      results { username roles } total_count page_info { offset limit } } }`;
    const all = await gql(auth.url, q, {}, { user: admin });
    expect(all.body.errors).toBeUndefined();
    expect(all.body.data?.user_list).toEqual({
      results: [
        { username: 'admin', roles: ['admin'] },
        { username: 'eddie', roles: ['editor'] },
        { username: 'vera', roles: ['viewer'] },
      ],
      total_count: 3,
      page_info: { offset: 0, limit: 100 },
    });
    const paged = await gql(auth.url, q, { p: { offset: 1, limit: 1 } }, { user: admin });
    expect(paged.body.data?.user_list).toMatchObject({ results: [{ username: 'eddie' }], total_count: 3, page_info: { offset: 1, limit: 1 } });
    const filtered = await gql(auth.url, q, { f: { username: { i_starts_with: 'V' }, OR: { role: 'admin' } } }, { user: admin });
    expect((filtered.body.data?.user_list as { results: { username: string }[] }).results.map((u) => u.username)).toEqual(['admin', 'vera']);
    const badRole = await gql(auth.url, q, { f: { role: 'root' } }, { user: admin });
    expect(badRole.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badPage = await gql(auth.url, q, { p: { offset: -1 } }, { user: admin });
    expect(badPage.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('forbids user_list for non-admins and reads single users per role', async () => {
    const list = await gql(auth.url, '{ user_list { total_count } }', {}, { user: viewer });
    expect(list.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await gql(auth.url, '{ user_list { total_count } }', {}, { user: null });
    expect(anon.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const q = 'query($id: ID!) { user(id: $id) { username } }';
    expect((await gql(auth.url, q, { id: viewer.id }, { user: viewer })).body.data?.user).toEqual({ username: 'vera' });
    expect((await gql(auth.url, q, { id: editor.id }, { user: viewer })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await gql(auth.url, q, { id: editor.id }, { user: admin })).body.data?.user).toEqual({ username: 'eddie' });
    const missing = await gql(auth.url, q, { id: '6b1f3f5e-0000-4000-8000-000000000000' }, { user: admin });
    expect(missing.body.errors?.[0]).toMatchObject({ message: 'Node not found', path: ['user'], extensions: { code: 'NODE_NOT_FOUND' } });
    const malformed = await gql(auth.url, q, { id: 'not-a-uuid' }, { user: admin });
    expect(malformed.body.errors?.[0]?.extensions?.code).toBe('NODE_NOT_FOUND');
  });

  it('resolves UserType entity references', async () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on UserType { username } } }';
    const res = await gql(auth.url, q, { r: [{ __typename: 'UserType', id: editor.id }] }, { user: viewer });
    expect(res.body.data?._entities).toEqual([{ username: 'eddie' }]);
  });
});

describe('API tokens', () => {
  const create = `mutation($data: ApiTokenCreateInput!) { api_token_create(data: $data) { ${TOKEN_FIELDS} } }`;
  const list = `query($f: ApiTokenFilter) { api_token_list(filters: $f) { results { ${TOKEN_FIELDS} } total_count page_info { offset limit } } }`;
  const revoke = `mutation($id: ID!) { api_token_revoke(id: $id) { ${TOKEN_FIELDS} } }`;

  it('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const created = await gql(auth.url, create, { data: { name: ' ci ', expires } }, { user: editor });
    expect(created.body.errors).toBeUndefined();
    const tok = created.body.data?.api_token_create as Record<string, unknown> & { id: string; token: string };
    expect(tok).toMatchObject({ name: 'ci', class_type: 'ApiToken', expires, revoked: null, last_used: null, is_active: true, user: { id: editor.id, username: 'eddie' } });
    expect(tok.token).toMatch(/^strata_/);
    expect(tok.token.startsWith(tok.prefix as string)).toBe(true);
    expect(tok.token.endsWith(tok.last4 as string)).toBe(true);
    expect(tok.display).toBe(`ci (${tok.prefix}…${tok.last4})`);

    // the new token authenticates as its user
    const authn = await callAuthenticate(auth.baseUrl, { scheme: 'bearer', credential: tok.token });
    expect(authn.body.principal).toEqual({ id: editor.id, username: 'eddie', roles: ['editor'], via: 'token' });

    const mine = await gql(auth.url, list, {}, { user: editor });
    const page = mine.body.data?.api_token_list as { results: { id: string; token: string | null; last_used: string | null }[]; total_count: number };
    expect(page.total_count).toBe(1);
    expect(page.results[0]).toMatchObject({ id: tok.id, token: null });
    expect(page.results[0]!.last_used).not.toBeNull();

    // others cannot see or revoke it; admins see everyone's
    const theirs = await gql(auth.url, list, {}, { user: viewer });
    expect((theirs.body.data?.api_token_list as { total_count: number }).total_count).toBe(0);
    const steal = await gql(auth.url, revoke, { id: tok.id }, { user: viewer });
    expect(steal.body.errors?.[0]?.extensions?.code).toBe('NODE_NOT_FOUND');
    const everyone = await gql(auth.url, list, { f: { user_id: editor.id } }, { user: admin });
    expect((everyone.body.data?.api_token_list as { total_count: number }).total_count).toBe(1);
    const allAdmin = await gql(auth.url, list, {}, { user: admin });
    expect((allAdmin.body.data?.api_token_list as { total_count: number }).total_count).toBe(2);

    const revoked = await gql(auth.url, revoke, { id: tok.id }, { user: editor });
    expect(revoked.body.errors).toBeUndefined();
    expect(revoked.body.data?.api_token_revoke).toMatchObject({ id: tok.id, is_active: false, token: null });
    const again = await gql(auth.url, revoke, { id: tok.id }, { user: editor });
    expect((again.body.data?.api_token_revoke as { revoked: string }).revoked).toBe((revoked.body.data?.api_token_revoke as { revoked: string }).revoked);

    const refused = await callAuthenticate(auth.baseUrl, { scheme: 'token', credential: tok.token });
    expect(refused.status).toBe(401);
    const active = await gql(auth.url, list, { f: { is_active: true } }, { user: editor });
    expect((active.body.data?.api_token_list as { total_count: number }).total_count).toBe(0);
  });

  it('validates input and refuses anonymous callers, system principals and time travel', async () => {
    const past = await gql(auth.url, create, { data: { name: 'old', expires: '2020-01-01T00:00:00Z' } }, { user: viewer });
    expect(past.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const empty = await gql(auth.url, create, { data: { name: '   ' } }, { user: viewer });
    expect(empty.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const garbage = await gql(auth.url, create, { data: { name: 'x', expires: 'tomorrow' } }, { user: viewer });
    expect(garbage.status).toBeLessThan(500);
    expect(garbage.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const anon = await gql(auth.url, create, { data: { name: 'x' } }, { user: null });
    expect(anon.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const system = await gql(auth.url, create, { data: { name: 'x' } }, { user: { id: 'system:gateway', username: 'gateway', roles: ['admin'], via: 'system' } });
    expect(system.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const at = await gql(auth.url, create, { data: { name: 'x' } }, { user: viewer, at: new Date(Date.now() - 60_000).toISOString() });
    expect(at.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await auth.prisma.apiToken.count({ where: { userId: viewer.id } })).toBe(0);
  });
});

describe('SDL', () => {
  it('prints the federation subgraph SDL', () => {
    const sdl = printSchemaSdl();
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    expect(sdl).toContain('type UserType @key(fields: "id")');
    expect(sdl).toContain('api_token_create(data: ApiTokenCreateInput!): ApiTokenType!');
  });
});
