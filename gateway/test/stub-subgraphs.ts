// Toy subgraphs for gateway tests, served by the real `startSubgraphServer` (signed-context gate
// included): `sites` and `notes` (two subgraphs sharing the `Site` entity; both echo the context
// they verified), `auth` (`/internal/authenticate` with fixed credentials) and `branching`
// (`/internal/branch` with fixed branches). No database needed.
import express from 'express';
import { parse } from 'graphql';
import { errors, startSubgraphServer, type Principal, type RunningSubgraph, type SchemaModule, type SubgraphContext } from '@strata/shared';

export const SECRET = 'gateway-stub-test-secret-0123456789abcdef';
export const GOOD_TOKEN = 'good-token-0123456789';
export const ALICE: Principal = { id: 'u-alice', username: 'alice', roles: ['editor'], via: 'token' };
export const BRANCHED_FROM = '2024-01-01T00:00:00.000Z';

const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

const seen = ({ ctx }: SubgraphContext) =>
  [ctx.branch, ctx.at ?? 'now', ctx.user?.username ?? 'anonymous', ctx.branchMeta ? `${ctx.branchMeta.branchedFrom}/${ctx.branchMeta.isolated}` : '-'].join('|');

const SITES = [
  { id: 's1', name: 'ams1' },
  { id: 's2', name: 'fra1' },
];

/** `sites`: root fields, errors, nesting; `extraField` adds a field (schema updates). */
export function sitesSchema(extraField?: string): SchemaModule {
  return {
    typeDefs: parse(`${FED}
      type Query {
        site_list: SiteList!
        whoami(at: String): String!
        info: Info!
        device(id: ID!): Device
        boom: String
        nest: Nest
        ${extraField ? `${extraField}: String!` : ''}
      }
      type Mutation { site_create(name: String!, at: String): Site! }
      type Site @key(fields: "id") { id: ID! name: String! }
      type SiteList { results: [Site!]! total_count: Int! }
      type Info { version: String! }
      type Device { id: ID! }
      type Nest { child: Nest name: String }`),
    resolvers: {
      Query: {
        site_list: () => ({ results: SITES, total_count: SITES.length }),
        whoami: (_p: unknown, _a: unknown, c: SubgraphContext) => seen(c),
        info: () => ({ version: '0.0.0-test' }),
        device: () => {
          throw errors.notFound();
        },
        boom: () => {
          throw new Error('secret internals at /srv/db password=hunter2');
        },
        nest: () => ({ name: 'root' }),
        ...(extraField ? { [extraField]: () => 'new' } : {}),
      },
      Mutation: { site_create: (_p: unknown, a: { name: string }) => ({ id: 's3', name: a.name }) },
      Site: { __resolveReference: (ref: { id: string }) => SITES.find((s) => s.id === ref.id) ?? null },
      Nest: { child: () => ({ name: 'child' }) },
    } as SchemaModule['resolvers'],
  };
}

/** `notes`: extends `Site` (the gateway fetches entities across subgraphs). */
export function notesSchema(conflicting = false): SchemaModule {
  return {
    typeDefs: parse(`${FED}
      type Query { note_count: Int! }
      type Site @key(fields: "id") {
        id: ID!
        note: String!
        seen_by_notes: String!
        ${conflicting ? 'name: Int!' : ''}
      }`),
    resolvers: {
      Query: { note_count: () => 2 },
      Site: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        note: (s: { id: string }) => `note on ${s.id}`,
        seen_by_notes: (_s: unknown, _a: unknown, c: SubgraphContext) => seen(c),
      },
    } as SchemaModule['resolvers'],
  };
}

function authSchema(): SchemaModule {
  return {
    typeDefs: parse(`${FED}\ntype Query { me: String }`),
    resolvers: { Query: { me: (_p: unknown, _a: unknown, c: SubgraphContext) => c.ctx.user?.username ?? null } } as SchemaModule['resolvers'],
  };
}

function branchingSchema(): SchemaModule {
  return { typeDefs: parse(`${FED}\ntype Query { branch_names: [String!]! }`), resolvers: { Query: { branch_names: () => ['main', 'feature/x'] } } as SchemaModule['resolvers'] };
}

const BRANCHES: Record<string, { status: string; isolated: boolean }> = {
  'feature/x': { status: 'OPEN', isolated: true },
  merged: { status: 'MERGED', isolated: false },
};

export interface Stubs {
  sites: RunningSubgraph;
  notes: RunningSubgraph;
  auth: RunningSubgraph;
  branching: RunningSubgraph;
  /** how many times each internal endpoint was called (caching checks) */
  calls: { authenticate: number; branch: number };
  close(): Promise<void>;
}

export async function startStubs(ports: { sites?: number } = {}): Promise<Stubs> {
  const calls = { authenticate: 0, branch: 0 };
  const sites = await startSubgraphServer({ name: 'sites', port: ports.sites ?? 0, secret: SECRET, schema: sitesSchema() });
  const notes = await startSubgraphServer({ name: 'notes', port: 0, secret: SECRET, schema: notesSchema() });
  const auth = await startSubgraphServer({
    name: 'auth',
    port: 0,
    secret: SECRET,
    schema: authSchema(),
    routes: (app, { requireContext }) => {
      app.post('/internal/authenticate', requireContext(SECRET, 'auth'), express.json(), (req, res) => {
        calls.authenticate++;
        const { scheme, credential } = req.body as { scheme: string; credential: string };
        if (credential === GOOD_TOKEN) res.json({ principal: { ...ALICE, via: scheme === 'bearer' ? 'jwt' : 'token' } });
        else res.status(401).json({ errors: [{ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } }] });
      });
    },
  });
  const branching = await startSubgraphServer({
    name: 'branching',
    port: 0,
    secret: SECRET,
    schema: branchingSchema(),
    routes: (app, { requireContext }) => {
      app.post('/internal/branch', requireContext(SECRET, 'branching'), express.json(), (req, res) => {
        calls.branch++;
        const name = (req.body as { name: string }).name;
        const b = BRANCHES[name];
        if (!b) {
          res.status(404).json({ errors: [{ message: `Branch not found: ${name}`, extensions: { code: 'BRANCH_NOT_FOUND' } }] });
          return;
        }
        res.json({ name, status: b.status, branched_from: BRANCHED_FROM, isolated: b.isolated });
      });
    },
  });
  return {
    sites,
    notes,
    auth,
    branching,
    calls,
    async close() {
      for (const s of [sites, notes, auth, branching]) await s.close().catch(() => {});
    },
  };
}

/** supergraph.yaml (Rover format); a null URL leaves routing_url out (then AUTH_URL, ... or the default port apply). */
export function supergraphYaml(subgraphs: Record<string, string | null>): string {
  const lines = ['federation_version: =2.14.4', 'subgraphs:'];
  for (const [name, url] of Object.entries(subgraphs)) {
    lines.push(`  ${name}:`);
    if (url) lines.push(`    routing_url: ${url}`);
    lines.push(`    schema: { file: ./${name}.graphql }`);
  }
  return `${lines.join('\n')}\n`;
}
