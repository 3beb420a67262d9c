// A subgraph that is down (docs/api.md#errors, SERVICE_UNAVAILABLE): the gateway answers the other
// subgraphs' fields and gives SERVICE_UNAVAILABLE naming the missing one on its fields (root and
// entity fetches, queries and mutations), never its address or a stack; a schema re-read while
// it is down keeps serving (its last known schema stays in the supergraph, the others' changes
// still get through); it answers again once the subgraph is back on its port. The auth service
// being down gives 503 SERVICE_UNAVAILABLE for an unchecked credential, not a 500.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraphServer, type RunningSubgraph, type SchemaModule } from '@strata/shared';
import { start, type RunningGateway } from '../src/server.ts';
import { isNoAnswer, rootResponseNames, unavailableResponse } from '../src/signed-data-source.ts';
import { GOOD_TOKEN, SECRET, startStubs, supergraphYaml, type Stubs } from './stub-subgraphs.ts';

const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

const ITEMS = [
  { id: 'i1', name: 'one' },
  { id: 'i2', name: 'two' },
];

/** `alpha`: owns Item; `extra` adds a root field (a schema change while beta is down). */
function alphaSchema(extra = false): SchemaModule {
  return {
    typeDefs: parse(`${FED}
      type Query { alpha_ping: String item_list: [Item!]! ${extra ? 'alpha_extra: String' : ''} }
      type Item @key(fields: "id") { id: ID! name: String! }`),
    resolvers: {
      Query: { alpha_ping: () => 'alpha', item_list: () => ITEMS, ...(extra ? { alpha_extra: () => 'extra' } : {}) },
      Item: { __resolveReference: (ref: { id: string }) => ITEMS.find((i) => i.id === ref.id) ?? null },
    } as SchemaModule['resolvers'],
  };
}

/** `beta`: extends Item with a nullable field, has root fields and a mutation. */
function betaSchema(): SchemaModule {
  return {
    typeDefs: parse(`${FED}
      type Query { beta_ping: String beta_count: Int }
      type Mutation { beta_set(value: String!): String }
      type Item @key(fields: "id") { id: ID! beta_note: String }`),
    resolvers: {
      Query: { beta_ping: () => 'beta', beta_count: () => 2 },
      Mutation: { beta_set: (_p: unknown, a: { value: string }) => a.value },
      Item: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }), beta_note: (i: { id: string }) => `note ${i.id}` },
    } as SchemaModule['resolvers'],
  };
}

let stubs: Stubs;
let alpha: RunningSubgraph;
let beta: RunningSubgraph | null;
let betaPort: number;
let gw: RunningGateway;
let dir: string;

interface Answer {
  status: number;
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  raw: string;
}

async function gql(query: string, token = GOOD_TOKEN): Promise<Answer> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
    body: JSON.stringify({ query }),
  });
  const raw = await res.text();
  const body = JSON.parse(raw) as Omit<Answer, 'status' | 'raw'>;
  return { status: res.status, ...body, raw };
}

const MIXED = '{ alpha_ping beta_ping item_list { name beta_note } }';
const unavailable = (service: string, p?: (string | number)[]) => ({
  message: `The ${service} service is unavailable`,
  ...(p ? { path: p } : {}),
  extensions: { code: 'SERVICE_UNAVAILABLE', service },
});

async function eventually(cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  stubs = await startStubs();
  alpha = await startSubgraphServer({ name: 'alpha', port: 0, secret: SECRET, schema: alphaSchema() });
  beta = await startSubgraphServer({ name: 'beta', port: 0, secret: SECRET, schema: betaSchema() });
  betaPort = beta.port;
  dir = await mkdtemp(path.join(os.tmpdir(), 'strata-gw-down-'));
  const yamlFile = path.join(dir, 'supergraph.yaml');
  await writeFile(yamlFile, supergraphYaml({ alpha: alpha.url, beta: beta.url, auth: stubs.auth.url, branching: stubs.branching.url }));
  gw = await start({
    PORT: '0',
    STRATA_GATEWAY_HOST: '127.0.0.1',
    STRATA_CONTEXT_SECRET: SECRET,
    APOLLO_TELEMETRY_DISABLED: 'true',
    STRATA_SUPERGRAPH_CONFIG: yamlFile,
    AUTH_URL: stubs.auth.url,
    BRANCHING_URL: stubs.branching.url,
    REST_ADAPTER_URL: 'http://127.0.0.1:1',
    STRATA_SCHEMA_POLL_MS: '3600000',
  });
});

afterAll(async () => {
  await gw?.close();
  await alpha?.close();
  await beta?.close().catch(() => {});
  await stubs?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a subgraph is down', () => {
  it('answers every field while all subgraphs are up', async () => {
    const a = await gql(MIXED);
    expect(a.errors).toBeUndefined();
    expect(a.data).toEqual({
      alpha_ping: 'alpha',
      beta_ping: 'beta',
      item_list: [
        { name: 'one', beta_note: 'note i1' },
        { name: 'two', beta_note: 'note i2' },
      ],
    });
  });

  it('answers the other subgraphs and SERVICE_UNAVAILABLE for its fields (root and entity fetches)', async () => {
    await beta!.close();
    beta = null;
    const a = await gql(MIXED);
    expect(a.status).toBe(200);
    expect(a.data).toEqual({
      alpha_ping: 'alpha',
      beta_ping: null,
      item_list: [
        { name: 'one', beta_note: null },
        { name: 'two', beta_note: null },
      ],
    });
    expect(a.errors).toEqual(expect.arrayContaining([unavailable('beta', ['beta_ping']), unavailable('beta')]));
    for (const e of a.errors!) expect(e).toEqual(e.path ? unavailable('beta', e.path) : unavailable('beta'));
    expect(a.raw).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|FetchError|stack|INTERNAL_SERVER_ERROR/);

    // only its fields: one error per root field (aliases kept), nothing else fails
    const only = await gql('{ b: beta_ping beta_count }');
    expect(only.data).toEqual({ b: null, beta_count: null });
    expect(only.errors).toEqual([unavailable('beta', ['b']), unavailable('beta', ['beta_count'])]);
    expect((await gql('{ alpha_ping item_list { id } }')).errors).toBeUndefined();
  });

  it('answers SERVICE_UNAVAILABLE for its mutations', async () => {
    const m = await gql('mutation { beta_set(value: "x") }');
    expect(m.data).toEqual({ beta_set: null });
    expect(m.errors).toEqual([unavailable('beta', ['beta_set'])]);
  });

  it("keeps serving through a schema re-read, and still takes the other subgraphs' changes", async () => {
    await gw.refreshSupergraph();
    expect((await gql(MIXED)).data?.alpha_ping).toBe('alpha');
    await alpha.setSchema(alphaSchema(true));
    await gw.refreshSupergraph();
    const a = await gql('{ alpha_extra beta_ping }');
    // the new field is served; the down subgraph's fields are still in the schema (no validation error)
    expect(a.data).toEqual({ alpha_extra: 'extra', beta_ping: null });
    expect(a.errors).toEqual([unavailable('beta', ['beta_ping'])]);
  });

  it('answers again once the subgraph is back on its port', async () => {
    beta = await startSubgraphServer({ name: 'beta', port: betaPort, secret: SECRET, schema: betaSchema() });
    await eventually(async () => (await gql(MIXED)).errors === undefined);
    expect((await gql(MIXED)).data?.item_list).toEqual([
      { name: 'one', beta_note: 'note i1' },
      { name: 'two', beta_note: 'note i2' },
    ]);
  });
});

describe('the auth service is down', () => {
  it('answers 503 SERVICE_UNAVAILABLE for a credential it cannot check, without internals', async () => {
    await stubs.auth.close();
    const res = await gql('{ alpha_ping }', 'a-credential-never-checked-before');
    expect(res.status).toBe(503);
    expect(res.errors).toEqual([
      expect.objectContaining({ message: 'The auth service is unavailable', extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', service: 'auth' }) }),
    ]);
    expect(res.raw).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch failed|stack/);
  });
});

describe('helpers', () => {
  it('recognises "no answer" failures and nothing else', () => {
    expect(isNoAnswer(Object.assign(new Error('x'), { name: 'FetchError', type: 'system', code: 'ECONNREFUSED' }))).toBe(true);
    expect(isNoAnswer(Object.assign(new Error('x'), { name: 'FetchError', type: 'request-timeout' }))).toBe(true);
    expect(isNoAnswer({ extensions: { response: { status: 503 } } })).toBe(true);
    expect(isNoAnswer({ extensions: { response: { status: 500 } } })).toBe(false);
    expect(isNoAnswer(Object.assign(new Error('x'), { name: 'FetchError', type: 'invalid-json' }))).toBe(false);
    expect(isNoAnswer(new Error('boom'))).toBe(false);
    expect(isNoAnswer(null)).toBe(false);
  });

  it('names the root fields of a fetch through fragments, and entity fetches get one error', () => {
    const doc = parse('query Q { a: x ...F ... on Query { y __typename } } fragment F on Query { z }');
    expect(rootResponseNames(doc)).toEqual(['a', 'z', 'y']);
    expect(unavailableResponse('s', parse('query($representations:[_Any!]!){ _entities(representations:$representations){ __typename } }'), undefined).errors).toEqual([
      unavailable('s'),
    ]);
    expect(unavailableResponse('s', undefined, '{ x }').errors).toEqual([unavailable('s', ['x'])]);
    expect(unavailableResponse('s', undefined, 'not graphql').errors).toEqual([unavailable('s')]);
  });
});
