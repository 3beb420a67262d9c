// Run-time schema loads: a new kind becomes queryable without a restart; bad schemas are refused
// with precise errors and change nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, VIEWER, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
const broadcasts: unknown[] = [];
const gql = (query: string, variables?: Record<string, unknown>, ctx?: Parameters<typeof callSubgraph>[4]) => callSubgraph(inv.url, 'inventory', query, variables, ctx);

const WIDGETS = `
version: 1
namespace: Lab
kinds:
  - name: Widget
    attributes:
      - { name: name, kind: Text, unique: true }
      - { name: size, kind: Number, optional: true }
    relationships:
      - { name: site, peer: DcimSite, cardinality: one, inverse: widgets }
`;

beforeAll(async () => {
  db = await createTestDatabase('inv_schema');
  inv = await start(serviceEnv(db.url), {
    publisher: { publish: async () => {}, broadcast: async (_c, m) => void broadcasts.push(m) },
  });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('adds a kind at run time and serves it at once', async () => {
  const load = await gql(`mutation($s: [JSON!]!) { schema_load(schemas: $s) { changed kinds } }`, { s: [WIDGETS] });
  expect(load.errors).toBeUndefined();
  expect(load.data!.schema_load.changed).toBe(true);
  expect(load.data!.schema_load.kinds).toContain('LabWidget');
  expect(broadcasts).toHaveLength(1);
  await gql(`mutation { site_create(data: {name: "S", slug: "s"}) { id } }`);
  const w = await gql(`mutation { widget_create(data: {name: "w1", size: 3, site: {slug: "s"}}) { id name size site { name } } }`);
  expect(w.errors).toBeUndefined();
  expect(w.data!.widget_create).toMatchObject({ name: 'w1', size: 3, site: { name: 'S' } });
  const s = await gql(`{ site_list { results { name widgets { name } } } }`);
  expect(s.data!.site_list.results).toEqual([{ name: 'S', widgets: [{ name: 'w1' }] }]);
  const def = await gql(`{ kind_definition(name: "LabWidget") { graphql_type query_field attributes { name kind } } }`);
  expect(def.data!.kind_definition).toMatchObject({ graphql_type: 'WidgetType', query_field: 'widget' });
  // loading the same again changes nothing
  const again = await gql(`mutation($s: [JSON!]!) { schema_load(schemas: $s) { changed } }`, { s: [WIDGETS] });
  expect(again.data!.schema_load.changed).toBe(false);
});

it('refuses invalid schemas with the file, kind and field', async () => {
  const bad = await gql(`mutation($s: [JSON!]!) { schema_load(schemas: $s) { changed } }`, {
    s: [{ namespace: 'Lab2', kinds: [{ name: 'Thing', attributes: [{ name: 'Bad-Name', kind: 'Text' }] }] }],
  });
  expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
  expect(bad.errors?.[0]?.message).toMatch(/attributes\.0\.name/);
  const peer = await gql(`mutation($s: [JSON!]!) { schema_load(schemas: $s) { changed } }`, {
    s: [{ namespace: 'Lab3', kinds: [{ name: 'Thing', relationships: [{ name: 'x', peer: 'Nope', cardinality: 'one' }] }] }],
  });
  expect(peer.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
  expect(peer.errors?.[0]?.message).toMatch(/Lab3Thing > x: unknown peer kind/);
  const viewer = await gql(`mutation($s: [JSON!]!) { schema_load(schemas: $s) { changed } }`, { s: [WIDGETS] }, { user: VIEWER });
  expect(viewer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});
