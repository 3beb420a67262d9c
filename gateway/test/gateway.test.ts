// The gateway against the real subgraphs: request context resolution (at, branch, identity),
// limits, error shapes, introspection, the playground, the GraphQL switch and live schema updates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, STACK_ADMIN_TOKEN, type Stack } from '../../test/stack.ts';
import { start as startGateway } from '../src/server.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.origin}${path}`, { method: 'POST', headers: { authorization: `Token ${STACK_ADMIN_TOKEN}`, ...headers }, body });

describe('request context', () => {
  it('accepts relative and absolute at, and refuses garbage, the future and writes with at', async () => {
    for (const at of ['-30s', '1h30m', '-2w', new Date(Date.now() - 60_000).toISOString(), '2024-01-15T10:30:00+02:00']) {
      const r = await stack.graphql(`{ site_list { total_count } }`, {}, { at });
      expect(r.errors, at).toBeUndefined();
    }
    const garbage = await stack.graphql(`{ site_list { total_count } }`, {}, { at: 'yesterday-ish' });
    expect(garbage.status).toBe(400);
    expect(garbage.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const future = await stack.graphql(`{ site_list { total_count } }`, {}, { at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const viaVariable = await stack.graphql(`query($at: String) { site_list { total_count } }`, { at: 'nope' });
    expect(viaVariable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const write = await stack.graphql(`mutation { tag_create(data: {name: "t", slug: "t"}) { id } }`, {}, { at: '-1m' });
    expect(write.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('serves branches, including names with a slash', async () => {
    const c = await stack.graphql(`mutation { branch_create(data: {name: "team/feature-1", description: "x"}) { name status } }`);
    expect(c.errors).toBeUndefined();
    const w = await stack.graphql(`mutation { tag_create(data: {name: "on-branch", slug: "on-branch"}) { id } }`, {}, { branch: 'team/feature-1' });
    expect(w.errors).toBeUndefined();
    const onBranch = await stack.graphql(`{ tag_list(filters: {slug: {exact: "on-branch"}}) { total_count } }`, {}, { branch: 'team/feature-1' });
    expect(onBranch.data!.tag_list.total_count).toBe(1);
    const onMain = await stack.graphql(`{ tag_list(filters: {slug: {exact: "on-branch"}}) { total_count } }`);
    expect(onMain.data!.tag_list.total_count).toBe(0);
  });

  it('lets anonymous callers read only public fields', async () => {
    const info = await stack.graphql(`{ info { deployment_id } }`, {}, { token: null });
    expect(info.status).toBe(200);
    expect(info.data!.info.deployment_id).toBeTruthy();
    const malformed = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { authorization: 'Basic abc', 'content-type': 'application/json' },
      body: '{"query":"{ site_list { total_count } }"}',
    });
    expect(malformed.status).toBe(401);
    const apiKey = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'x-api-key': STACK_ADMIN_TOKEN, 'content-type': 'application/json' },
      body: '{"query":"{ site_list { total_count } }"}',
    });
    expect(apiKey.status).toBe(200);
    const bearer = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STACK_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"query":"{ site_list { total_count } }"}',
    });
    expect(bearer.status).toBe(200);
  });
});

describe('requests', () => {
  it('takes a curl -d body without a JSON content type', async () => {
    const res = await post('/graphql', '{"query":"{ site_list { total_count results { id name } } }"}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { site_list: { total_count: 0, results: [] } } });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await post('/graphql', '{"query": ', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
  });

  it('refuses too many aliases and too deep queries before execution', async () => {
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: site_list { total_count }`).join(' ');
    const r = await stack.graphql(`{ ${aliases} }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    let deep = 'name';
    for (let i = 0; i < 8; i++) deep = `region { parent { ${deep} } }`;
    const d = await stack.graphql(`{ site_list { results { ${deep} } } }`);
    expect(d.status).toBe(400);
    expect(d.errors?.[0]?.message).toMatch(/deep/);
    expect(d.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('maps unknown fields to BAD_USER_INPUT and keeps NODE_NOT_FOUND', async () => {
    const unknown = await stack.graphql(`{ site_list { results { nope } } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await stack.graphql(`{ device(id: "00000000-0000-0000-0000-000000000000") { id } }`);
    expect(missing.data ?? null).toBeNull();
    expect(missing.errors?.[0]).toMatchObject({ message: 'Node not found', path: ['device'], extensions: { code: 'NODE_NOT_FOUND' } });
    expect(JSON.stringify(missing.errors)).not.toMatch(/stack|serviceName/);
  });

  it('introspects the API schema without federation internals', async () => {
    const r = await stack.graphql(`{ __schema { queryType { fields { name } } types { name } } }`, {}, { token: null });
    const fields = (r.data!.__schema.queryType.fields as { name: string }[]).map((f) => f.name);
    expect(fields).toEqual(expect.arrayContaining(['site', 'site_list', 'device_list', 'branch_list', 'changelog_list', 'me', 'info']));
    expect(fields).not.toContain('_service');
    expect(fields).not.toContain('_entities');
    const types = (r.data!.__schema.types as { name: string }[]).map((t) => t.name);
    expect(types).toEqual(expect.arrayContaining(['SiteType', 'DeviceTypeType', 'CircuitTerminationType', 'IPAddressType']));
    expect(types).not.toContain('join__Graph');
  });

  it('shows GraphiQL from local assets in a browser', async () => {
    const page = await fetch(`${stack.origin}/graphql/main`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('graphiql');
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const asset = await fetch(`${stack.origin}${src[1]}`);
      expect(asset.status, src[1]).toBe(200);
    }
  });
});

describe('switches and live schema', () => {
  it('answers 404 with the contract body when GraphQL is disabled', async () => {
    const off = await startGateway({ ...stack.env, PORT: '0', STRATA_GRAPHQL_ENABLED: 'false' });
    try {
      const res = await fetch(`${off.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ errors: ['The GraphQL API is not enabled.'] });
    } finally {
      await off.close();
    }
  });

  it('serves a kind loaded at run time without a restart', async () => {
    const schema = { namespace: 'Lab', kinds: [{ name: 'Gadget', attributes: [{ name: 'name', kind: 'Text', unique: true }] }] };
    const load = await stack.graphql(`mutation($s: [JSON!]!) { schema_load(schemas: $s) { changed } }`, { s: [schema] });
    expect(load.errors).toBeUndefined();
    const end = Date.now() + 20_000;
    let r = await stack.graphql(`mutation { gadget_create(data: {name: "g1"}) { id name } }`);
    while (r.errors && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 200));
      r = await stack.graphql(`mutation { gadget_create(data: {name: "g1"}) { id name } }`);
    }
    expect(r.errors).toBeUndefined();
    const list = await stack.graphql(`{ gadget_list { results { name class_type } } }`);
    expect(list.data!.gadget_list.results).toEqual([{ name: 'g1', class_type: 'Gadget' }]);
  });
});
