// Per-kind read permissions: a kind a user may not read gives empty lists (also nested) and
// FORBIDDEN for the singular field.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, VIEWER, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let tagId = '';
const gql = (q: string, v?: Record<string, unknown>, ctx?: Parameters<typeof callSubgraph>[4]) => callSubgraph(inv.url, 'inventory', q, v, ctx);

beforeAll(async () => {
  db = await createTestDatabase('inv_perm');
  inv = await start(serviceEnv(db.url, { STRATA_KIND_READ_ROLES: 'ExtrasTag=admin,editor' }), { publisher: { publish: async () => {} } });
  const t = await gql(`mutation { tag_create(data: {name: "secret", slug: "secret"}) { id } }`);
  tagId = t.data!.tag_create.id;
  await gql(`mutation { site_create(data: {name: "S", slug: "s", tags: [{slug: "secret"}]}) { id } }`);
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('hides a kind from roles that may not read it', async () => {
  const admin = await gql(`{ tag_list { total_count } site_list { results { tags { slug } } } }`);
  expect(admin.data).toEqual({ tag_list: { total_count: 1 }, site_list: { results: [{ tags: [{ slug: 'secret' }] }] } });
  const viewer = await gql(`{ tag_list { total_count results { slug } } site_list { results { name tags { slug } } } }`, {}, { user: VIEWER });
  expect(viewer.data).toEqual({ tag_list: { total_count: 0, results: [] }, site_list: { results: [{ name: 'S', tags: [] }] } });
  const one = await gql(`query($id: ID!) { tag(id: $id) { slug } }`, { id: tagId }, { user: VIEWER });
  expect(one.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});
