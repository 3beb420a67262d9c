// Issue #8 items 5 and 7 against the real stack: no anonymous request can stall or crash a
// process (fragment bombs, oversized documents, thousands of same-named fields, deep variables
// are refused before Apollo sees them), every bad input is a clear 4xx (NUL characters, odd
// branch paths, custom scalars the subgraphs refuse, out-of-range `at`, malformed URLs,
// duplicated parameters, malformed JSON), and the query cost limit (STRATA_GRAPHQL_MAX_COST).
// Stalls are asserted as refusals, never as timings; after each the gateway still answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { startStack, STACK_ADMIN_TOKEN, type Stack } from '../../test/stack.ts';
import { start as startGateway } from '../src/server.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  const g = async (q: string) => {
    const r = await stack.graphql(q);
    expect(r.errors, q).toBeUndefined();
    return r.data!;
  };
  await g(`mutation { site_create(data: {name: "ams1", slug: "ams1"}) { id } }`);
  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
  const d = await g(`mutation { device_create(data: {name: "leaf1", site: {slug: "ams1"}, role: {slug: "leaf"}, device_type: {slug: "x1"}}) { id } }`);
  await g(
    `mutation { interface_bulk_create(data: [{device: {id: "${d.device_create.id}"}, name: "eth0", type: TYPE_1000BASE_T}, {device: {id: "${d.device_create.id}"}, name: "eth1", type: TYPE_1000BASE_T}]) { id } }`,
  );
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

interface Answer {
  status: number;
  contentType: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } & Record<string, any>;
}

async function send(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Answer> {
  const { token = null, ...rest } = init;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(rest.headers as Record<string, string>) };
  if (token) headers.authorization = `Token ${token}`;
  const res = await fetch(path.startsWith('http') ? path : `${stack.origin}${path}`, { method: 'POST', ...rest, headers });
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
}

/** POST a GraphQL request (anonymous unless a token is given). */
const gql = (query: string, opts: { variables?: unknown; token?: string | null; path?: string } = {}) =>
  send(opts.path ?? '/graphql', { body: JSON.stringify({ query, variables: opts.variables ?? {} }), token: opts.token ?? null });

const codeOf = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

async function expectHealthy(): Promise<void> {
  const res = await fetch(`${stack.origin}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok' });
}

function expectRefused(a: Answer, code: string, status = 400): void {
  expect(a.status, JSON.stringify(a.body).slice(0, 300)).toBe(status);
  expect(a.contentType).toMatch(/application\/json/);
  expect(codeOf(a), JSON.stringify(a.body).slice(0, 300)).toBe(code);
  expect(a.body.data ?? null).toBeNull();
}

describe('item 5: no anonymous request can stall or crash the gateway', () => {
  it('refuses a fragment bomb (2^20 expanded selections in 825 bytes) without credentials', async () => {
    const frags = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const query = `{ ...F0 } ${frags} fragment F20 on Query { __typename }`;
    for (const levels of [20]) {
      const r = await gql(query);
      expectRefused(r, 'QUERY_TOO_COMPLEX');
      expect(r.body.errors![0]!.message, String(levels)).toMatch(/selections|root fields/);
    }
    // deeper still: the count is computed, never expanded
    const deeper = Array.from({ length: 60 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    expectRefused(await gql(`{ ...F0 } ${deeper} fragment F60 on Query { __typename }`), 'QUERY_TOO_COMPLEX');
    await expectHealthy();
  });

  it('refuses fragment cycles and unknown fragments as BAD_USER_INPUT', async () => {
    expectRefused(await gql(`{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`), 'BAD_USER_INPUT');
    expectRefused(await gql(`{ ...Nope }`), 'BAD_USER_INPUT');
    await expectHealthy();
  });

  it('refuses documents over the token limit before caching them (ten 200 KB documents)', async () => {
    const big = `{ ${'a '.repeat(100_000)}}`;
    for (let i = 0; i < 10; i++) {
      const r = await gql(big + ' '.repeat(i));
      expectRefused(r, 'QUERY_TOO_COMPLEX');
      expect(r.body.errors![0]!.message).toMatch(/tokens/);
    }
    await expectHealthy();
  });

  it('refuses 2,000 (and 500) same-named root fields without credentials', async () => {
    for (const n of [2_000, 500, 11]) {
      const query = `{ ${Array.from({ length: n }, (_, i) => `__type(name: "t${i}") { name }`).join(' ')} }`;
      const r = await gql(query);
      expectRefused(r, 'QUERY_TOO_COMPLEX');
    }
    // the same through fragments and inline fragments
    const spread = Array.from({ length: 30 }, (_, i) => `fragment T${i} on Query { __type(name: "t${i}") { name } }`).join(' ');
    expectRefused(await gql(`{ ${Array.from({ length: 30 }, (_, i) => `...T${i}`).join(' ')} } ${spread}`), 'QUERY_TOO_COMPLEX');
    expectRefused(await gql(`{ ${Array.from({ length: 30 }, (_, i) => `... on Query { __type(name: "t${i}") { name } }`).join(' ')} }`), 'QUERY_TOO_COMPLEX');
    // Apollo validates every operation of a document, not only the one that runs
    const heavy = `query Heavy { ${Array.from({ length: 30 }, (_, i) => `__type(name: "t${i}") { name }`).join(' ')} }`;
    const unselected = await send('/graphql', { body: JSON.stringify({ query: `query Cheap { info { version } } ${heavy}`, operationName: 'Cheap' }) });
    expectRefused(unselected, 'QUERY_TOO_COMPLEX');
    // and a fragment no operation uses is refused outright
    expectRefused(await gql(`{ info { version } } fragment Unused on Query { ${heavy.slice(12, -1)} }`), 'BAD_USER_INPUT');
    await expectHealthy();
  });

  it('refuses too many root fields, selections and directives', async () => {
    // 101 distinct root fields: site(id:) under 101 different... use __typename-free public fields via fragments
    const roots = await gql(`{ ${Array.from({ length: 101 }, () => 'info { version }').join(' ')} }`);
    expectRefused(roots, 'QUERY_TOO_COMPLEX');
    expect(roots.body.errors![0]!.message).toMatch(/root fields/);
    const directives = await gql(`{ ${Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ')} }`);
    expectRefused(directives, 'QUERY_TOO_COMPLEX');
    expect(directives.body.errors![0]!.message).toMatch(/directives/);
    await expectHealthy();
  });

  it('refuses too many aliases and too deep queries with QUERY_TOO_COMPLEX, also anonymously', async () => {
    const aliases = await gql(`{ ${Array.from({ length: 11 }, (_, i) => `a${i}: info { version }`).join(' ')} }`);
    expectRefused(aliases, 'QUERY_TOO_COMPLEX');
    expect(aliases.body.errors![0]!.message).toMatch(/Too many aliases: 11 \(max 10\)/);
    let deep = 'name';
    for (let i = 0; i < 16; i++) deep = `ofType { ${deep} }`;
    const d = await gql(`{ __type(name: "DeviceType") { ${deep} } }`);
    expectRefused(d, 'QUERY_TOO_COMPLEX');
    expect(d.body.errors![0]!.message).toMatch(/too deep/);
    await expectHealthy();
  });

  it('refuses variables nested 5,000 deep and literals nested deeper than the parser allows', async () => {
    // built as text: JSON.stringify itself may overflow the stack on 5,000 levels
    const nested = `${'{"AND":'.repeat(5_000)}{}${'}'.repeat(5_000)}`;
    const body = `{"query":"query($f: SiteFilter) { site_list(filters: $f) { total_count } }","variables":{"f":${nested}}}`;
    expectRefused(await send('/graphql', { body }), 'BAD_USER_INPUT');
    expectRefused(await send('/graphql', { body, token: STACK_ADMIN_TOKEN }), 'BAD_USER_INPUT');
    const lists = `{ __type(name: ${'['.repeat(4_000)}"x"${']'.repeat(4_000)}) { name } }`;
    const l = await gql(lists);
    expect(l.status).toBe(400);
    expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']).toContain(codeOf(l));
    await expectHealthy();
  });

  it('keeps public operations working without credentials: info, __type, the full introspection query', async () => {
    const info = await gql(`{ info { deployment_id } }`);
    expect(info.status).toBe(200);
    expect(info.body.data.info.deployment_id).toBeTruthy();
    const type = await gql(`{ __type(name: "DeviceType") { name fields { name type { name kind ofType { name kind ofType { name } } } } } }`);
    expect(type.status).toBe(200);
    expect(type.body.data.__type.name).toBe('DeviceType');
    for (const query of [
      getIntrospectionQuery(),
      getIntrospectionQuery({ specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    ]) {
      const intro = await gql(query);
      expect(intro.status, JSON.stringify(intro.body.errors)).toBe(200);
      expect(intro.body.data.__schema.queryType.name).toBe('Query');
    }
    // a data field still needs credentials (and is refused before any limit or cost work)
    expectRefused(await gql(`{ site_list { total_count } }`), 'UNAUTHENTICATED', 401);
  });
});

describe('item 5: query cost (STRATA_GRAPHQL_MAX_COST)', () => {
  const nested = (deviceLimit: string, ifaceLimit = '') =>
    `{ device_list(pagination: {limit: ${deviceLimit}}) { total_count results { name interfaces${ifaceLimit ? `(pagination: {limit: ${ifaceLimit}})` : ''} { name } } } }`;

  it('runs a big legitimate NetBox-style query (100 devices x 100 interfaces = 10,100 objects)', async () => {
    const r = await gql(nested('100'), { token: STACK_ADMIN_TOKEN });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.device_list.results[0].interfaces.map((i: { name: string }) => i.name)).toEqual(['eth0', 'eth1']);
  });

  it('refuses a query whose estimated result is over the limit, before execution', async () => {
    expectRefused(await gql(nested('1000', '100'), { token: STACK_ADMIN_TOKEN }), 'QUERY_TOO_COMPLEX');
    // page sizes from variables count too, and limits over STRATA_MAX_PAGE_SIZE count as capped
    const viaVariables = await gql(`query($p: OffsetPaginationInput, $l: Int) { device_list(pagination: $p) { results { interfaces(pagination: {limit: $l}) { name } } } }`, {
      token: STACK_ADMIN_TOKEN,
      variables: { p: { limit: 500 }, l: 200 },
    });
    expectRefused(viaVariables, 'QUERY_TOO_COMPLEX');
    expect(viaVariables.body.errors![0]!.message).toMatch(/50000/);
    const capped = await gql(nested('1000000', '10'), { token: STACK_ADMIN_TOKEN }); // 1000 + 1000 x 10
    expect(capped.status, JSON.stringify(capped.body.errors)).toBe(200);
    // three nested lists at the default page size: 100 + 10,000 + 1,000,000
    const three = await gql(`{ site_list { results { devices { interfaces { name } } } } }`, { token: STACK_ADMIN_TOKEN });
    expectRefused(three, 'QUERY_TOO_COMPLEX');
    await expectHealthy();
  });

  it('honours STRATA_GRAPHQL_MAX_COST', async () => {
    const strict = await startGateway({ ...stack.env, PORT: '0', STRATA_GATEWAY_HOST: '127.0.0.1', STRATA_GRAPHQL_MAX_COST: '5000' });
    try {
      const refused = await gql(nested('100'), { token: STACK_ADMIN_TOKEN, path: `${strict.url}/graphql` });
      expectRefused(refused, 'QUERY_TOO_COMPLEX');
      expect(refused.body.errors![0]!.message).toMatch(/5000/);
      const fine = await gql(nested('40'), { token: STACK_ADMIN_TOKEN, path: `${strict.url}/graphql` }); // 40 + 4,000
      expect(fine.status, JSON.stringify(fine.body.errors)).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('item 7: every bad input is a clear 4xx', () => {
  it('refuses NUL characters in string literals, filters and variables', async () => {
    const lit = await gql(`{ site_list(filters: {name: {exact: "a\\u0000b"}}) { total_count } }`, { token: STACK_ADMIN_TOKEN });
    expectRefused(lit, 'BAD_USER_INPUT');
    const vars = await gql(`query($n: String) { site_list(filters: {name: {exact: $n}}) { total_count } }`, { token: STACK_ADMIN_TOKEN, variables: { n: 'a\u0000b' } });
    expectRefused(vars, 'BAD_USER_INPUT');
    const write = await gql(`mutation($d: TagCreateInput!) { tag_create(data: $d) { id } }`, { token: STACK_ADMIN_TOKEN, variables: { d: { name: 'x\u0000', slug: 'x' } } });
    expectRefused(write, 'BAD_USER_INPUT');
    // anonymous, on a public field
    expectRefused(await gql(`{ __type(name: "a\\u0000") { name } }`), 'BAD_USER_INPUT');
    expectRefused(await gql(`{ __type(name: $n) { name } }`.replace('{ __type', 'query($n: String!) { __type'), { variables: { n: '\u0000' } }), 'BAD_USER_INPUT');
    await expectHealthy();
  });

  it('refuses malformed branch paths and ignores a trailing slash', async () => {
    for (const path of ['/graphql/%25', '/graphql/%00', `/graphql/${'a'.repeat(256)}`, '/graphql/a%20b', '/graphql/a//b']) {
      expectRefused(await gql(`{ site_list { total_count } }`, { token: STACK_ADMIN_TOKEN, path }), 'BAD_USER_INPUT');
      expectRefused(await gql(`{ info { version } }`, { path }), 'BAD_USER_INPUT');
    }
    for (const path of ['/graphql/main/', '/graphql/', '/graphql/main//']) {
      const r = await gql(`{ site_list { total_count } }`, { token: STACK_ADMIN_TOKEN, path });
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.data.site_list.total_count).toBe(1);
    }
    const unknown = await gql(`{ site_list { total_count } }`, { token: STACK_ADMIN_TOKEN, path: '/graphql/no-such-branch/' });
    expect(codeOf(unknown)).toBe('BRANCH_NOT_FOUND');
    expect(unknown.body.errors![0]!.message).toMatch(/no-such-branch$/);
    await expectHealthy();
  });

  it('refuses custom scalar values the subgraphs refuse, as literals and as variables', async () => {
    const cases: [string, unknown?][] = [
      [`{ device_list(filters: {status: 42}) { total_count } }`],
      [`{ device_list(filters: {created: {gt: "not-a-date"}}) { total_count } }`],
      [`{ device_list(filters: {last_updated: {range: {start: "2024-01-01T00:00:00Z", end: "soon"}}}) { total_count } }`],
      [`query($s: ChoiceFilterLookup) { device_list(filters: {status: $s}) { total_count } }`, { s: 42 }],
      [`query($t: DateTime) { device_list(filters: {created: {gt: $t}}) { total_count } }`, { t: 'not-a-date' }],
      [`mutation { site_create(data: {name: "s2", slug: "s2", status: 42}) { id } }`],
    ];
    for (const [query, variables] of cases) {
      const r = await gql(query, { token: STACK_ADMIN_TOKEN, variables });
      expect(r.status, `${query} ${JSON.stringify(r.body)}`).toBe(400);
      expect(codeOf(r), query).toBe('BAD_USER_INPUT');
    }
    // good values still pass unchanged
    const ok = await gql(`query($t: DateTime) { device_list(filters: {status: STATUS_ACTIVE, created: {gt: $t}}) { total_count } }`, {
      token: STACK_ADMIN_TOKEN,
      variables: { t: '2000-01-01T00:00:00Z' },
    });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.device_list.total_count).toBe(1);
    const lookup = await gql(`{ device_list(filters: {status: {in_list: [STATUS_ACTIVE, STATUS_PLANNED]}}) { total_count } }`, { token: STACK_ADMIN_TOKEN });
    expect(lookup.body.data.device_list.total_count).toBe(1);
    await expectHealthy();
  });

  it('refuses out-of-range and garbage `at` with BAD_USER_INPUT, with or without credentials', async () => {
    for (const at of ['-9999999d', '-99999999999999999999d', '0000-01-01T00:00:00Z']) {
      for (const token of [null, STACK_ADMIN_TOKEN]) {
        const r = await gql(`{ site_list { total_count } }`, { token, path: `/graphql?at=${encodeURIComponent(at)}` });
        expectRefused(r, 'BAD_USER_INPUT');
      }
    }
    const old = await gql(`{ site_list { total_count } }`, { token: STACK_ADMIN_TOKEN, path: '/graphql?at=1970-01-01T00:00:00Z' });
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    expect(old.body.data.site_list.total_count).toBe(0);
  });

  it('refuses duplicated query parameters with 400 and an errors list', async () => {
    for (const qs of ['at=-1h&at=-2h', 'branch=a&branch=b']) {
      const r = await gql(`{ site_list { total_count } }`, { token: STACK_ADMIN_TOKEN, path: `/graphql?${qs}` });
      expectRefused(r, 'BAD_USER_INPUT');
      const get = await send(`/graphql?${qs}&query=${encodeURIComponent('{ info { version } }')}`, { method: 'GET' });
      expectRefused(get, 'BAD_USER_INPUT');
      const rest = await send(`/api/schema?${qs}`, { method: 'GET', token: STACK_ADMIN_TOKEN });
      expect(rest.status).toBe(400);
      expect(Array.isArray(rest.body.errors)).toBe(true);
    }
  });

  it('answers malformed JSON bodies with 400, anonymous or not', async () => {
    for (const token of [null, STACK_ADMIN_TOKEN]) {
      for (const body of ['{"query": ', 'not json', '[1,2', '{"query":"{ info { version } }","variables":{"a":"\\u00"}}']) {
        expectRefused(await send('/graphql', { body, token }), 'BAD_USER_INPUT');
      }
    }
    await expectHealthy();
  });

  it('answers JSON (never an HTML error page) on every service for malformed URLs and unknown paths', async () => {
    const gw = await send('/graphql/%E0%A4%A', { body: '{"query":"{ info { version } }"}' });
    expect(gw.status).toBe(400);
    expect(gw.contentType).toMatch(/application\/json/);
    expect(JSON.stringify(gw.body)).not.toMatch(/<html|URIError|at decode|node_modules/i);
    const getGw = await send('/graphql/%E0%A4%A', { method: 'GET', headers: { accept: 'text/html' } });
    expect(getGw.status).toBe(400);
    expect(getGw.contentType).toMatch(/application\/json/);
    const missing = await send('/no/such/page', { method: 'GET' });
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/application\/json/);

    const origins = {
      inventory: new URL(stack.env.INVENTORY_URL!).origin,
      branching: new URL(stack.env.BRANCHING_URL!).origin,
      history: new URL(stack.env.HISTORY_URL!).origin,
      auth: new URL(stack.env.AUTH_URL!).origin,
      rest: stack.env.REST_ADAPTER_URL!,
    };
    for (const [name, origin] of Object.entries(origins)) {
      for (const [method, path] of [
        ['GET', '/%E0%A4%A'],
        ['POST', '/graphql/%E0%A4%A'],
        ['GET', '/no/such/page'],
        ['POST', '/internal/%E0%A4%A'],
        ['GET', '/api/schema/%E0%A4%A'],
      ] as const) {
        const r = await send(`${origin}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
        expect(r.status, `${name} ${method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${name} ${method} ${path}`).toBeLessThan(500);
        expect(r.contentType, `${name} ${method} ${path}`).toMatch(/application\/json/);
        expect(Array.isArray(r.body.errors), `${name} ${method} ${path}`).toBe(true);
      }
    }
    // through the gateway's /api proxy too
    const api = await send('/api/schema/%E0%A4%A', { method: 'GET', token: STACK_ADMIN_TOKEN });
    expect(api.status).toBe(400);
    expect(api.body).toEqual({ errors: [expect.stringMatching(/Malformed URL/)] });
    await expectHealthy();
  });
});
