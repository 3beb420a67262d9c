// Branch API of the branching subgraph behind the signed-context gate: create, list, get,
// delete, every validation error, permissions, the entity reference and the internal endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXT_HEADER, newRequestContext, signContext } from '@strata/shared';
import { createTestDatabase, TEST_SECRET, VIEWER, type TestDatabase } from '../../../test/support.ts';
import { BRANCH_FIELDS, branchMeta, codeOf, gql, startBranching, type RunningBranching } from './helpers.ts';

let db: TestDatabase;
let s: RunningBranching;

const CREATE = `mutation($data: BranchCreateInput!) { branch_create(data: $data) { ${BRANCH_FIELDS} } }`;
const DELETE = `mutation($name: String!) { branch_delete(name: $name) { ok id branch { name status } } }`;
const GET = `query($name: String!) { branch(name: $name) { ${BRANCH_FIELDS} } }`;
const LIST = `query($d: Boolean) { branch_list(include_deleted: $d) { name status } }`;

beforeAll(async () => {
  db = await createTestDatabase('branching_api');
  s = await startBranching(db.url);
});
afterAll(async () => {
  await s?.close();
  await db?.drop();
});

describe('context gate', () => {
  it('rejects GraphQL requests without a signed context', async () => {
    const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ branch_list { name } }' }) });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('rejects contexts signed for another audience or with another secret', async () => {
    const other = await signContext(newRequestContext(), { secret: TEST_SECRET, audience: 'inventory' });
    const forged = await signContext(newRequestContext(), { secret: 'another-secret-that-is-long-enough-0123', audience: 'branching' });
    for (const token of [other, forged]) {
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
        body: JSON.stringify({ query: '{ branch_list { name } }' }),
      });
      expect(res.status).toBe(401);
    }
  });
});

describe('branch_create', () => {
  it('creates an OPEN isolated branch from now', async () => {
    const before = Date.now();
    const res = await gql(s.url, CREATE, { data: { name: 'feature-1', description: 'first' } });
    expect(res.errors).toBeUndefined();
    const b = res.data!.branch_create;
    expect(b).toMatchObject({ name: 'feature-1', description: 'first', status: 'OPEN', isolated: true, created_by: 'admin', is_default: false });
    expect(b.branched_from).toBe(b.created_at);
    // the database clock, close to the test's clock (no timing assertion beyond sanity)
    expect(Math.abs(new Date(b.branched_from).getTime() - before)).toBeLessThan(60_000);
  });

  it('honours isolated: false and accepts every allowed character', async () => {
    const res = await gql(s.url, CREATE, { data: { name: 'team/net_ops.v2-x', isolated: false } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.branch_create).toMatchObject({ name: 'team/net_ops.v2-x', isolated: false, description: null });
  });

  it.each([
    ['ab', 'too short'],
    ['a'.repeat(251), 'too long'],
    ['Feature', 'upper case'],
    ['has space', 'space'],
    ['emoji-☃', 'non-ascii'],
    ['main', 'the default branch'],
    ['-leading', 'leading dash'],
    ['/leading', 'leading slash'],
    ['trailing/', 'trailing slash'],
    ['trailing.', 'trailing dot'],
    ['a..b', 'double dot'],
    ['a//b', 'double slash'],
    ['team/.hidden', 'component starting with a dot'],
    ['refs.lock', '.lock suffix'],
    ['a:b', 'colon'],
  ])('refuses %j (%s) with VALIDATION_ERROR', async (name) => {
    const res = await gql(s.url, CREATE, { data: { name } });
    expect(codeOf(res), name).toBe('VALIDATION_ERROR');
    expect(res.errors![0]!.extensions!.field).toBe('name');
    expect(await s.prisma.branch.count({ where: { name } })).toBe(name === 'main' ? 1 : 0);
  });

  it('accepts names of exactly 3 and 250 characters', async () => {
    for (const name of ['abc', 'b'.repeat(250)]) {
      const res = await gql(s.url, CREATE, { data: { name } });
      expect(res.errors, name).toBeUndefined();
    }
  });

  it('refuses an over-long description with VALIDATION_ERROR', async () => {
    const res = await gql(s.url, CREATE, { data: { name: 'long-desc', description: 'x'.repeat(5000) } });
    expect(codeOf(res)).toBe('VALIDATION_ERROR');
    expect(res.errors![0]!.extensions!.field).toBe('description');
  });

  it('refuses a duplicate name with UNIQUENESS_VIOLATION', async () => {
    await gql(s.url, CREATE, { data: { name: 'dup-1' } });
    const res = await gql(s.url, CREATE, { data: { name: 'dup-1' } });
    expect(codeOf(res)).toBe('UNIQUENESS_VIOLATION');
    expect(res.data).toBeNull();
  });

  it('lets exactly one of concurrent creates of the same name win', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => gql(s.url, CREATE, { data: { name: 'race-1' } })));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    for (const r of results.filter((r) => r.errors)) expect(codeOf(r)).toBe('UNIQUENESS_VIOLATION');
    expect(await s.prisma.branch.count({ where: { name: 'race-1' } })).toBe(1);
  });

  it('is FORBIDDEN for viewers, UNAUTHENTICATED for anonymous callers, BAD_USER_INPUT with at', async () => {
    expect(codeOf(await gql(s.url, CREATE, { data: { name: 'viewer-b' } }, { user: VIEWER }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(s.url, CREATE, { data: { name: 'anon-b' } }, { user: null }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(s.url, CREATE, { data: { name: 'at-b' } }, { at: new Date(Date.now() - 60_000).toISOString() }))).toBe('BAD_USER_INPUT');
    expect(await s.prisma.branch.count({ where: { name: { in: ['viewer-b', 'anon-b', 'at-b'] } } })).toBe(0);
  });

  it('reports a missing name as a GraphQL validation error, not a crash', async () => {
    const res = await gql(s.url, CREATE, { data: { description: 'x' } });
    expect(res.status).toBe(400);
    expect(res.errors?.length).toBeGreaterThan(0);
  });
});

describe('branch and branch_list', () => {
  it('returns a branch by name', async () => {
    const res = await gql(s.url, GET, { name: 'feature-1' });
    expect(res.data!.branch).toMatchObject({ name: 'feature-1', status: 'OPEN' });
  });

  it('answers BRANCH_NOT_FOUND for an unknown name', async () => {
    const res = await gql(s.url, GET, { name: 'no-such-branch' });
    expect(res.data!.branch).toBeNull();
    expect(res.errors![0]).toMatchObject({ path: ['branch'], extensions: { code: 'BRANCH_NOT_FOUND' } });
  });

  it('lists main first, then by name, as a plain list (viewers too)', async () => {
    await gql(s.url, CREATE, { data: { name: 'aaa-first' } });
    const res = await gql(s.url, LIST, {}, { user: VIEWER });
    expect(res.errors).toBeUndefined();
    const names = (res.data!.branch_list as { name: string }[]).map((b) => b.name);
    expect(names[0]).toBe('main');
    expect(names.slice(1)).toEqual([...names.slice(1)].sort());
    expect(names).toContain('aaa-first');
  });

  it('resolves BranchType entity references by name', async () => {
    const res = await gql(s.url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on BranchType { name status is_default } } }`, {
      r: [
        { __typename: 'BranchType', name: 'main' },
        { __typename: 'BranchType', name: 'nope-nope' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([{ name: 'main', status: 'OPEN', is_default: true }, null]);
  });
});

describe('branch_delete', () => {
  it('refuses to delete main with VALIDATION_ERROR', async () => {
    const res = await gql(s.url, DELETE, { name: 'main' });
    expect(codeOf(res)).toBe('VALIDATION_ERROR');
    expect((await gql(s.url, GET, { name: 'main' })).data!.branch.status).toBe('OPEN');
  });

  it('answers BRANCH_NOT_FOUND for an unknown branch', async () => {
    expect(codeOf(await gql(s.url, DELETE, { name: 'never-existed' }))).toBe('BRANCH_NOT_FOUND');
  });

  it('is FORBIDDEN for viewers', async () => {
    await gql(s.url, CREATE, { data: { name: 'keep-me' } });
    expect(codeOf(await gql(s.url, DELETE, { name: 'keep-me' }, { user: VIEWER }))).toBe('FORBIDDEN');
    expect((await gql(s.url, GET, { name: 'keep-me' })).data!.branch.status).toBe('OPEN');
  });

  it('sets DELETED, hides the branch from the list and keeps its name taken', async () => {
    const created = await gql(s.url, CREATE, { data: { name: 'to-delete' } });
    const res = await gql(s.url, DELETE, { name: 'to-delete' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.branch_delete).toEqual({ ok: true, id: created.data!.branch_create.id, branch: { name: 'to-delete', status: 'DELETED' } });
    expect((await gql(s.url, GET, { name: 'to-delete' })).data!.branch.status).toBe('DELETED');
    const visible = (await gql(s.url, LIST)).data!.branch_list as { name: string }[];
    expect(visible.map((b) => b.name)).not.toContain('to-delete');
    const all = (await gql(s.url, LIST, { d: true })).data!.branch_list as { name: string; status: string }[];
    expect(all).toContainEqual({ name: 'to-delete', status: 'DELETED' });
    expect(codeOf(await gql(s.url, DELETE, { name: 'to-delete' }))).toBe('BRANCH_NOT_FOUND');
    expect(codeOf(await gql(s.url, CREATE, { data: { name: 'to-delete' } }))).toBe('UNIQUENESS_VIOLATION');
  });

  it('refuses to delete a branch that is being merged (CONFLICT)', async () => {
    await gql(s.url, CREATE, { data: { name: 'merging-1' } });
    await s.prisma.branch.update({ where: { name: 'merging-1' }, data: { status: 'MERGING' } });
    expect(codeOf(await gql(s.url, DELETE, { name: 'merging-1' }))).toBe('CONFLICT');
    expect((await gql(s.url, GET, { name: 'merging-1' })).data!.branch.status).toBe('MERGING');
  });
});

describe('POST /internal/branch', () => {
  it('answers name, status, branched_from and isolated', async () => {
    const created = (await gql(s.url, CREATE, { data: { name: 'meta-1', isolated: true } })).data!.branch_create;
    const res = await branchMeta(s.baseUrl, { name: 'meta-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'meta-1', status: 'OPEN', branched_from: created.branched_from, isolated: true });
    const main = await branchMeta(s.baseUrl, { name: 'main' });
    expect(main.body).toMatchObject({ name: 'main', status: 'OPEN', isolated: false });
  });

  it('answers 404 BRANCH_NOT_FOUND for unknown and deleted branches', async () => {
    await gql(s.url, CREATE, { data: { name: 'meta-gone' } });
    await gql(s.url, DELETE, { name: 'meta-gone' });
    for (const name of ['meta-unknown', 'meta-gone']) {
      const res = await branchMeta(s.baseUrl, { name });
      expect(res.status, name).toBe(404);
      expect(res.body.errors![0]!.extensions!.code).toBe('BRANCH_NOT_FOUND');
    }
  });

  it('answers 400 for a bad body and malformed JSON', async () => {
    expect((await branchMeta(s.baseUrl, { nom: 'x' })).status).toBe(400);
    const bad = await branchMeta(s.baseUrl, '{"name": ');
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('rejects callers without a valid signed context (401)', async () => {
    for (const res of [
      await branchMeta(s.baseUrl, { name: 'main' }, { header: null }),
      await branchMeta(s.baseUrl, { name: 'main' }, { header: 'not-a-token' }),
      await branchMeta(s.baseUrl, { name: 'main' }, { audience: 'inventory' }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(res.body.name).toBeUndefined();
    }
  });
});
