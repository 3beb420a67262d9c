// REST through the gateway's origin: schema routes, schema load, branch diff, error shapes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, STACK_ADMIN_TOKEN, type Stack } from '../stack.ts';

let stack: Stack;
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${stack.origin}${path}`, { ...init, headers: { authorization: `Token ${STACK_ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

it('serves the schema and one kind', async () => {
  const all = await api('/api/schema');
  expect(all.status).toBe(200);
  const body = (await all.json()) as { nodes: { kind: string }[] };
  expect(body.nodes.map((n) => n.kind)).toEqual(expect.arrayContaining(['DcimSite', 'DcimDevice', 'IpamPrefix', 'CircuitsCircuit']));
  const site = await api('/api/schema/DcimSite');
  expect(site.status).toBe(200);
  expect(await site.json()).toMatchObject({ kind: 'DcimSite', graphql_type: 'SiteType', query_field: 'site' });
  const missing = await api('/api/schema/Nope');
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ errors: [expect.any(String)] });
});

it('loads a schema over REST and refuses a bad one with 422', async () => {
  const ok = await api('/api/schema/load', {
    method: 'POST',
    body: JSON.stringify({ schemas: [{ namespace: 'Rest', kinds: [{ name: 'Widget', attributes: [{ name: 'name', kind: 'Text' }] }] }] }),
  });
  expect(ok.status).toBe(200);
  expect(((await ok.json()) as { kinds: string[] }).kinds).toContain('RestWidget');
  const bad = await api('/api/schema/load', { method: 'POST', body: JSON.stringify({ schemas: [{ namespace: 'rest-bad' }] }) });
  expect(bad.status).toBe(422);
  const unauth = await fetch(`${stack.origin}/api/schema`);
  expect(unauth.status).toBe(401);
});

it('diffs a branch', async () => {
  await stack.graphql(`mutation { branch_create(data: {name: "rest-diff"}) { name } }`);
  await stack.graphql(`mutation { tag_create(data: {name: "x", slug: "x"}) { id } }`, {}, { branch: 'rest-diff' });
  const res = await api('/api/diff/data?branch=rest-diff');
  expect(res.status).toBe(200);
  const diff = (await res.json()) as { summary: Record<string, number>; nodes: { kind: string; action: string }[] };
  expect(diff.summary).toEqual({ num_added: 1, num_updated: 0, num_removed: 0, num_conflicts: 0 });
  expect(diff.nodes[0]).toMatchObject({ kind: 'ExtrasTag', action: 'ADDED' });
  expect((await api('/api/diff/data')).status).toBe(400);
  expect((await api('/api/diff/data?branch=nope')).status).toBe(404);
});
