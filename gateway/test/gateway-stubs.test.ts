// The gateway alone, in front of toy subgraphs (see stub-subgraphs.ts): composition from
// supergraph.yaml, the request context (branch, at, identity) resolved once and signed per
// subgraph, the 401 rules, limits, error shapes, introspection, the playground, the REST proxy,
// the GraphQL switch, live recomposition (on demand and via the bus) and the start-up wait.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_REVOKED_CHANNEL, BRANCH_CHANGED_CHANNEL, createBus, SCHEMA_UPDATED_CHANNEL, startSubgraphServer, type EventBus } from '@strata/shared';
import { start, type RunningGateway } from '../src/server.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support.ts';
import { freePort } from '../../test/ports.ts';
import { BRANCHED_FROM, GOOD_TOKEN, notesSchema, SECRET, sitesSchema, startStubs, supergraphYaml, type Stubs } from './stub-subgraphs.ts';

let stubs: Stubs;
let dir: string;
let gw: RunningGateway;
let baseEnv: NodeJS.ProcessEnv;
let rest: http.Server;

interface Answer {
  status: number;
  headers: Headers;
  data?: Record<string, any> | null;
  errors?: { message: string; path?: unknown[]; locations?: unknown; extensions?: Record<string, any> }[];
  raw: unknown;
}

async function gql(
  origin: string,
  query: string,
  opts: { variables?: Record<string, unknown>; path?: string; headers?: Record<string, string>; token?: string | null } = {},
): Promise<Answer> {
  const token = opts.token === undefined ? GOOD_TOKEN : opts.token;
  const res = await fetch(`${origin}${opts.path ?? '/graphql'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}), ...opts.headers },
    body: JSON.stringify({ query, variables: opts.variables ?? {} }),
  });
  const raw = (await res.json()) as { data?: Record<string, any> | null; errors?: Answer['errors'] };
  return { status: res.status, headers: res.headers, data: raw.data, errors: raw.errors, raw };
}

const atOf = (seen: string) => seen.split('|')[1]!;
const near = (iso: string, expectedMs: number) => Math.abs(Date.parse(iso) - expectedMs) < 60_000;

beforeAll(async () => {
  stubs = await startStubs();
  dir = await mkdtemp(path.join(os.tmpdir(), 'strata-gw-'));
  const yamlFile = path.join(dir, 'supergraph.yaml');
  await writeFile(yamlFile, supergraphYaml({ sites: stubs.sites.url, notes: stubs.notes.url, auth: 'http://127.0.0.1:1/graphql', branching: null }));
  // a stand-in REST adapter
  rest = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, method: req.method, forwardedFor: req.headers['x-forwarded-for'] ?? null, context: req.headers['x-strata-context'] ?? null }));
  });
  await new Promise<void>((r) => rest.listen(0, '127.0.0.1', () => r()));
  baseEnv = {
    PORT: '0',
    STRATA_GATEWAY_HOST: '127.0.0.1',
    STRATA_CONTEXT_SECRET: SECRET,
    APOLLO_TELEMETRY_DISABLED: 'true',
    STRATA_SUPERGRAPH_CONFIG: yamlFile,
    // AUTH_URL wins over the routing_url in the file; BRANCHING_URL fills the missing one
    AUTH_URL: stubs.auth.url,
    BRANCHING_URL: stubs.branching.url,
    REST_ADAPTER_URL: `http://127.0.0.1:${(rest.address() as AddressInfo).port}`,
    // no bus in this gateway (no REDIS_URL/DATABASE_URL); recomposition is triggered explicitly
    STRATA_SCHEMA_POLL_MS: '3600000',
  };
  gw = await start(baseEnv);
});

afterAll(async () => {
  await gw?.close();
  await stubs?.close();
  await new Promise<void>((r) => (rest ? rest.close(() => r()) : r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('composition and signed context', () => {
  it('answers a query spanning two subgraphs', async () => {
    const r = await gql(gw.url, `{ site_list { total_count results { id name note } } note_count }`);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      site_list: {
        total_count: 2,
        results: [
          { id: 's1', name: 'ams1', note: 'note on s1' },
          { id: 's2', name: 'fra1', note: 'note on s2' },
        ],
      },
      note_count: 2,
    });
  });

  it('hands every subgraph the same verified context: branch, branch meta, at and user', async () => {
    const r = await gql(gw.url, `{ whoami site_list { results { seen_by_notes } } }`, { path: '/graphql/feature/x?at=-30m' });
    expect(r.errors).toBeUndefined();
    const seen = r.data!.whoami as string;
    const [branch, at, user, meta] = seen.split('|');
    expect(branch).toBe('feature/x');
    expect(near(at!, Date.now() - 30 * 60_000)).toBe(true);
    expect(user).toBe('alice');
    expect(meta).toBe(`${BRANCHED_FROM}/true`);
    // resolved once at the gateway: the entity fetch in the other subgraph sees the same instant
    for (const s of r.data!.site_list.results as { seen_by_notes: string }[]) expect(s.seen_by_notes).toBe(seen);
  });

  it('accepts an encoded branch path too and defaults to main', async () => {
    const encoded = await gql(gw.url, `{ whoami }`, { path: '/graphql/feature%2Fx' });
    expect(encoded.data!.whoami.split('|')[0]).toBe('feature/x');
    const main = await gql(gw.url, `{ whoami }`);
    expect(main.data!.whoami).toBe('main|now|alice|-');
    expect(main.headers.get('x-request-id')).toBeTruthy();
  });

  it('subgraphs refuse requests without the gateway context', async () => {
    const res = await fetch(stubs.sites.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ whoami }"}' });
    expect(res.status).toBe(401);
  });

  it('answers BRANCH_NOT_FOUND for an unknown branch and refuses writes on a merged one', async () => {
    const r = await gql(gw.url, `{ whoami }`, { path: '/graphql/no-such-branch' });
    expect(r.status).toBe(404);
    expect(r.errors?.[0]?.extensions?.code).toBe('BRANCH_NOT_FOUND');
    expect(r.errors?.[0]?.message).toMatch(/no-such-branch/);
    const w = await gql(gw.url, `mutation { site_create(name: "x") { id } }`, { path: '/graphql/merged' });
    expect(w.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('time travel (at)', () => {
  it('resolves relative and absolute instants from ?at= and the at variable', async () => {
    const abs = await gql(gw.url, `{ whoami }`, { path: `/graphql?at=${encodeURIComponent('2024-01-15T10:30:00+02:00')}` });
    expect(atOf(abs.data!.whoami)).toBe('2024-01-15T08:30:00.000Z');
    const unsigned = await gql(gw.url, `{ whoami }`, { path: '/graphql?at=1h30m' });
    expect(near(atOf(unsigned.data!.whoami), Date.now() - 90 * 60_000)).toBe(true);
    const variable = await gql(gw.url, `query($at: String) { whoami(at: $at) }`, { variables: { at: '-2w' } });
    expect(near(atOf(variable.data!.whoami), Date.now() - 14 * 86_400_000)).toBe(true);
  });

  it('refuses garbage, the future and writes with at (BAD_USER_INPUT)', async () => {
    const cases: [string, { path?: string; variables?: Record<string, unknown> }, RegExp][] = [
      ['{ whoami }', { path: '/graphql?at=yesterday-ish' }, /Invalid time/],
      ['query($at: String) { whoami(at: $at) }', { variables: { at: '2024-13-45' } }, /Invalid time/],
      ['{ whoami }', { path: `/graphql?at=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}` }, /future/],
      ['mutation { site_create(name: "x") { id } }', { path: '/graphql?at=-1m' }, /Writes with at are refused/],
      ['mutation($at: String) { site_create(name: "x", at: $at) { id } }', { variables: { at: '-1m' } }, /Writes with at are refused/],
    ];
    for (const [query, opts, message] of cases) {
      const r = await gql(gw.url, query, opts);
      expect(r.status, query).toBe(400);
      expect(r.data ?? null).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(message);
    }
    const write = await gql(gw.url, `mutation { site_create(name: "x") { id name } }`);
    expect(write.data).toEqual({ site_create: { id: 's3', name: 'x' } });
  });
});

describe('identity', () => {
  it('takes Token, Bearer and X-API-Key credentials', async () => {
    const variants: Record<string, string>[] = [{ authorization: `Token ${GOOD_TOKEN}` }, { authorization: `Bearer ${GOOD_TOKEN}` }, { 'x-api-key': GOOD_TOKEN }];
    for (const headers of variants) {
      const r = await gql(gw.url, `{ me }`, { token: null, headers });
      expect(r.status).toBe(200);
      expect(r.data).toEqual({ me: 'alice' });
    }
  });

  it('answers 401 UNAUTHENTICATED for missing or invalid credentials', async () => {
    const variants: { token: string | null; headers?: Record<string, string> }[] = [
      { token: null },
      { token: 'wrong' },
      { token: null, headers: { authorization: 'Basic abc' } },
      { token: null, headers: { 'x-api-key': 'wrong' } },
    ];
    for (const opts of variants) {
      const r = await gql(gw.url, `{ site_list { total_count } }`, opts);
      expect(r.status).toBe(401);
      expect(r.raw).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  });

  it('caches a checked credential', async () => {
    const before = stubs.calls.authenticate;
    for (let i = 0; i < 3; i++) await gql(gw.url, `{ me }`, { token: null, headers: { 'x-api-key': GOOD_TOKEN } });
    expect(stubs.calls.authenticate - before).toBeLessThanOrEqual(1);
  });

  it('runs public root fields anonymously', async () => {
    const info = await gql(gw.url, `{ info { version } __typename }`, { token: null });
    expect(info.status).toBe(200);
    expect(info.data).toEqual({ info: { version: '0.0.0-test' }, __typename: 'Query' });
    const mixed = await gql(gw.url, `{ info { version } site_list { total_count } }`, { token: null });
    expect(mixed.status).toBe(401);
  });

  it('allows anonymous reads (not writes) with STRATA_ALLOW_ANONYMOUS_READ=true', async () => {
    const open = await start({ ...baseEnv, STRATA_ALLOW_ANONYMOUS_READ: 'true' });
    try {
      const read = await gql(open.url, `{ whoami }`, { token: null });
      expect(read.data).toEqual({ whoami: 'main|now|anonymous|-' });
      const write = await gql(open.url, `mutation { site_create(name: "x") { id } }`, { token: null });
      expect(write.status).toBe(401);
      const invalid = await gql(open.url, `{ whoami }`, { token: 'wrong' });
      expect(invalid.status).toBe(401);
    } finally {
      await open.close();
    }
  });
});

describe('requests, limits and errors', () => {
  it('answers malformed JSON with 400 and serves GET queries', async () => {
    const bad = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Token ${GOOD_TOKEN}` }, body: '{"query": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Answer['raw'] & { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    const get = await fetch(`${gw.url}/graphql/feature/x?query=${encodeURIComponent('{ whoami }')}`, { headers: { authorization: `Token ${GOOD_TOKEN}` } });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: { whoami: string } }).data.whoami).toMatch(/^feature\/x\|now\|alice/);
  });

  it('blocks cross-site simple requests (CSRF) but not curl, same-origin or preflighted ones', async () => {
    const body = '{"query":"mutation { site_create(name: \\"csrf\\") { id } }"}';
    const send = (headers: Record<string, string>) => fetch(`${gw.url}/graphql`, { method: 'POST', headers: { authorization: `Token ${GOOD_TOKEN}`, ...headers }, body });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const suspects: Record<string, string>[] = [
      { ...form, origin: 'https://evil.example' },
      { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' },
      { ...form, origin: 'null' },
    ];
    for (const h of suspects) {
      const r = await send(h);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/Cross-Site Request Forgery/);
    }
    const crossGet = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ whoami }')}`, {
      headers: { authorization: `Token ${GOOD_TOKEN}`, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossGet.status).toBe(400);
    const host = new URL(gw.url).host;
    const fine: Record<string, string>[] = [
      form,
      { ...form, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
      { ...form, origin: 'https://evil.example', 'apollo-require-preflight': 'true' },
      { 'content-type': 'application/json', origin: 'https://evil.example' },
    ];
    for (const h of fine) {
      expect((await send(h)).status).toBe(200);
    }
  });

  it('refuses too many aliases and too deep queries, counting through fragments', async () => {
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: info { version }`).join(' ');
    const a = await gql(gw.url, `{ ${aliases} }`);
    expect(a.status).toBe(400);
    expect(a.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Too many aliases: 11 \(max 10\)/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
    const ten = Array.from({ length: 10 }, (_, i) => `a${i}: info { version }`).join(' ');
    expect((await gql(gw.url, `{ ${ten} }`)).errors).toBeUndefined();

    // depth 16 = nest + 15 x child, half of it inside a fragment
    const chain = (n: number, inner: string): string => (n === 0 ? inner : `child { ${chain(n - 1, inner)} }`);
    const deep = await gql(gw.url, `{ nest { ...F } } fragment F on Nest { ${chain(8, '...G')} } fragment G on Nest { ${chain(7, 'name')} }`);
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]).toMatchObject({ message: expect.stringMatching(/too deep: 16 levels \(max 15\)/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
    const ok = await gql(gw.url, `{ nest { ${chain(14, 'name')} } }`);
    expect(ok.errors).toBeUndefined();
    // a fragment cycle is refused by validation, not a crash
    const cycle = await gql(gw.url, `{ nest { ...A } } fragment A on Nest { child { ...B } } fragment B on Nest { child { ...A } }`);
    expect(cycle.status).toBe(400);
    expect(cycle.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('passes Strata codes through unchanged and hides unexpected errors', async () => {
    const missing = await gql(gw.url, `{ device(id: "d1") { id } }`);
    expect(missing.raw).toEqual({ data: { device: null }, errors: [{ message: 'Node not found', path: ['device'], extensions: { code: 'NODE_NOT_FOUND' } }] });
    const boom = await gql(gw.url, `{ boom }`);
    expect(boom.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(boom.raw)).not.toMatch(/hunter2|stack|serviceName|\/srv/);
    const unknown = await gql(gw.url, `{ site_list { nope } }`);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('introspects the API schema without federation internals', async () => {
    const r = await gql(gw.url, `{ __schema { queryType { fields { name } } types { name } } }`, { token: null });
    const fields = (r.data!.__schema.queryType.fields as { name: string }[]).map((f) => f.name);
    expect(fields).toEqual(expect.arrayContaining(['site_list', 'note_count', 'me', 'branch_names', 'info']));
    expect(fields).not.toContain('_service');
    expect(fields).not.toContain('_entities');
    const types = (r.data!.__schema.types as { name: string }[]).map((t) => t.name);
    for (const internal of ['_Any', '_Service', '_Entity', 'join__Graph', 'link__Purpose']) expect(types).not.toContain(internal);
  });
});

describe('one origin', () => {
  it('shows GraphiQL from local assets, posting to the current path, with security headers', async () => {
    const page = await fetch(`${gw.url}/graphql/feature/x`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('data-endpoint="/graphql/feature/x"');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('graphiql.min.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('graphiql.min.css'))).toBe(true);
    for (const a of assets) {
      expect(a.startsWith('/')).toBe(true);
      const res = await fetch(`${gw.url}${a}`);
      expect(res.status, a).toBe(200);
      expect((await res.arrayBuffer()).byteLength, a).toBeGreaterThan(100);
    }
  });

  it("GraphiQL honours and shows the page's ?at= and branch, and keeps pasted headers", async () => {
    const page = await fetch(`${gw.url}/graphql/feature/x?at=-1h`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    // every query the page sends reads the same past instant
    expect(html).toContain('data-endpoint="/graphql/feature/x?at=-1h"');
    expect(html).toMatch(/Branch <strong data-branch>feature\/x<\/strong>/);
    expect(html).toContain('as of -1h (time travel: read-only)');
    const live = await (await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(live).toMatch(/data-branch>main</);
    expect(live).toContain('now (live data)');
    const hostile = await (await fetch(`${gw.url}/graphql?at=${encodeURIComponent('"><script>x</script>')}`, { headers: { accept: 'text/html' } })).text();
    expect(hostile).not.toContain('<script>x</script>');
    const boot = await (await fetch(`${gw.url}/_strata/playground/boot.js`)).text();
    expect(boot).toContain('shouldPersistHeaders: true');
  });

  it('proxies /api/* to the REST adapter without forwarding a client-supplied context', async () => {
    const r = await fetch(`${gw.url}/api/info?x=1`, { headers: { 'x-strata-context': 'forged' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ path: '/api/info?x=1', method: 'GET', context: null, forwardedFor: expect.any(String) });
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });

  it('answers 404 with the contract body when GraphQL is disabled', async () => {
    const off = await start({ ...baseEnv, STRATA_GRAPHQL_ENABLED: 'false' });
    try {
      for (const p of ['/graphql', '/graphql/feature/x']) {
        const res = await fetch(`${off.url}${p}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Token ${GOOD_TOKEN}` },
          body: '{"query":"{ __typename }"}',
        });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ errors: ['The GraphQL API is not enabled.'] });
      }
      expect((await fetch(`${off.url}/health`)).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

describe('live schema', () => {
  it('recomposes when a subgraph schema changes and keeps serving on a composition error', async () => {
    expect((await gql(gw.url, `{ site_count }`)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await stubs.sites.setSchema(sitesSchema('site_count'));
    await gw.refreshSupergraph();
    expect((await gql(gw.url, `{ site_count }`)).data).toEqual({ site_count: 'new' });

    // notes now declares Site.name: Int! (conflicts with sites): the previous supergraph stays
    await stubs.notes.setSchema(notesSchema(true));
    await gw.refreshSupergraph();
    const still = await gql(gw.url, `{ site_list { results { name note } } site_count }`);
    expect(still.errors).toBeUndefined();
    expect(still.data!.site_list.results[0]).toEqual({ name: 'ams1', note: 'note on s1' });
    await stubs.notes.setSchema(notesSchema());
    await gw.refreshSupergraph();
    expect((await gql(gw.url, `{ site_list { results { note } } }`)).errors).toBeUndefined();
  });

  describe('with an event bus', () => {
    let db: TestDatabase;
    let bus: EventBus;
    let busGw: RunningGateway;
    const prefix = `strata-test-gw-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      db = await createTestDatabase('gateway');
      const env = { ...baseEnv, DATABASE_URL: db.url, REDIS_URL: process.env.REDIS_URL, STRATA_BUS_PREFIX: prefix };
      busGw = await start(env);
      bus = await createBus({ redisUrl: env.REDIS_URL || undefined, databaseUrl: db.url, service: 'test', prefix });
    });
    afterAll(async () => {
      await busGw?.close();
      await bus?.close();
      await stubs.sites.setSchema(sitesSchema());
      await db?.drop();
    });

    const eventually = async (check: () => Promise<boolean>) => {
      const end = Date.now() + 20_000;
      while (!(await check())) {
        if (Date.now() > end) throw new Error('condition not reached');
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    it('recomposes on a schema-updated broadcast', async () => {
      await stubs.sites.setSchema(sitesSchema('fresh_field'));
      await eventually(async () => {
        await bus.broadcast(SCHEMA_UPDATED_CHANNEL, { subgraph: 'sites', version: 'test' });
        return (await gql(busGw.url, `{ fresh_field }`)).data?.fresh_field === 'new';
      });
    });

    it('drops cached identities on auth revocation and cached branches on branch changes', async () => {
      const auth = async () => {
        const before = stubs.calls.authenticate;
        await gql(busGw.url, `{ me }`, { token: null, headers: { 'x-api-key': GOOD_TOKEN } });
        return stubs.calls.authenticate - before;
      };
      await auth();
      expect(await auth()).toBe(0);
      await eventually(async () => {
        await bus.broadcast(AUTH_REVOKED_CHANNEL, { reason: 'test' });
        return (await auth()) === 1;
      });

      const branch = async () => {
        const before = stubs.calls.branch;
        await gql(busGw.url, `{ whoami }`, { path: '/graphql/feature/x' });
        return stubs.calls.branch - before;
      };
      await branch();
      await eventually(async () => {
        await bus.broadcast(BRANCH_CHANGED_CHANNEL, { name: 'feature/x' });
        return (await branch()) === 1;
      });
    });
  });
});

describe('start-up', () => {
  it('waits for subgraphs that are not up yet, and gives up with a clear error after the bound', async () => {
    const port = await freePort();
    const yamlFile = path.join(dir, 'late.yaml');
    await writeFile(yamlFile, supergraphYaml({ late: `http://127.0.0.1:${port}/graphql` }));
    const env = { ...baseEnv, STRATA_SUPERGRAPH_CONFIG: yamlFile };

    await expect(start({ ...env, STRATA_GATEWAY_STARTUP_TIMEOUT_MS: '300' })).rejects.toThrow(/gave up.*late at http:\/\/127\.0\.0\.1/);

    const starting = start({ ...env, STRATA_GATEWAY_STARTUP_TIMEOUT_MS: '60000' });
    await new Promise((r) => setTimeout(r, 500));
    const late = await startSubgraphServer({ name: 'late', port, secret: SECRET, schema: sitesSchema() });
    const lateGw = await starting;
    try {
      expect((await gql(lateGw.url, `{ site_list { total_count } }`)).data).toEqual({ site_list: { total_count: 2 } });
      // a subgraph going away mid-flight: SERVICE_UNAVAILABLE naming it, nothing about the internals
      await late.close();
      const down = await gql(lateGw.url, `{ site_list { total_count } }`);
      expect(down.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', service: 'late' });
      expect(JSON.stringify(down.raw)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    } finally {
      await lateGw.close();
      await late.close().catch(() => {});
    }
  });
});
