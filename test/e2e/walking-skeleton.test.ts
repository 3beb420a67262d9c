// Issue 2 end to end: the whole supergraph in-process against real Postgres (and Redis when
// REDIS_URL is set): REST info, site queries and writes, a query spanning two subgraphs,
// branches, and the trust boundary between gateway and subgraphs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('walking skeleton', () => {
  it('GET /api/info answers with a stable deployment id and a version', async () => {
    const a = await fetch(`${stack.origin}/api/info`);
    expect(a.status).toBe(200);
    const body = (await a.json()) as { deployment_id: string; version: string };
    expect(body.deployment_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    const b = (await (await fetch(`${stack.origin}/api/info`)).json()) as { deployment_id: string };
    expect(b.deployment_id).toBe(body.deployment_id);
  });

  it('serves site_list in the contract shape with the initial admin token', async () => {
    const r = await stack.graphql(`{ site_list { total_count results { id name } } }`);
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ site_list: { total_count: 0, results: [] } });
  });

  it('creates a site and reads its change log through a second subgraph', async () => {
    const c = await stack.graphql(`mutation { site_create(data: {name: "Amsterdam", slug: "ams1", status: STATUS_ACTIVE}) { id name status } }`);
    expect(c.errors).toBeUndefined();
    const id = c.data!.site_create.id as string;
    const withLog = await until(async () => {
      const r = await stack.graphql(`query($id: ID!) { site(id: $id) { name changelog { action changed_object_type user_name } } }`, { id });
      expect(r.errors).toBeUndefined();
      return r.data!.site.changelog.length ? r.data!.site : undefined;
    });
    expect(withLog).toEqual({ name: 'Amsterdam', changelog: [{ action: 'create', changed_object_type: 'DcimSite', user_name: 'admin' }] });
    const log = await stack.graphql(`{ changelog_list(filters: {changed_object_id: {exact: "${id}"}}) { total_count results { action object_repr } } }`);
    expect(log.data!.changelog_list).toEqual({ total_count: 1, results: [{ action: 'create', object_repr: 'Amsterdam' }] });
  });

  it('lists branches with main', async () => {
    const r = await stack.graphql(`{ branch_list { name status is_default } }`);
    expect(r.data!.branch_list).toEqual([{ name: 'main', status: 'OPEN', is_default: true }]);
  });

  it('refuses missing and invalid credentials with 401', async () => {
    const none = await stack.graphql(`{ site_list { total_count } }`, {}, { token: null });
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await stack.graphql(`{ site_list { total_count } }`, {}, { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers BRANCH_NOT_FOUND for an unknown branch', async () => {
    const r = await stack.graphql(`{ site_list { total_count } }`, {}, { branch: 'no-such-branch' });
    expect(r.errors?.[0]?.extensions?.code).toBe('BRANCH_NOT_FOUND');
  });

  it('a subgraph refuses requests that do not come from the gateway', async () => {
    for (const name of ['INVENTORY_URL', 'BRANCHING_URL', 'HISTORY_URL', 'AUTH_URL']) {
      const res = await fetch(stack.env[name]!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Token strata-test-admin-token-0123456789abcdef' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status, name).toBe(401);
    }
  });
});
