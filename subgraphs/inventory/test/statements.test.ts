// Nested fields are batched: the number of SQL statements per request does not grow with the
// page size (issue 3, "Storage built for branches and time").
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
const gql = (query: string, variables?: Record<string, unknown>) => callSubgraph(inv.url, 'inventory', query, variables);

beforeAll(async () => {
  db = await createTestDatabase('inv_stmts');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
  await gql(`mutation { tenant_bulk_create(data: [{name: "T1", slug: "t1"}, {name: "T2", slug: "t2"}]) { id } }`);
  await gql(`mutation { region_create(data: {name: "EU", slug: "eu"}) { id } }`);
  const sites = Array.from({ length: 100 }, (_, i) => ({ name: `S${String(i).padStart(3, '0')}`, slug: `s${i}`, tenant: { slug: i % 2 ? 't1' : 't2' }, region: { slug: 'eu' } }));
  const r = await gql(`mutation($d: [SiteCreateInput!]!) { site_bulk_create(data: $d) { id } }`, { d: sites });
  expect(r.errors).toBeUndefined();
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('runs the same number of statements for 1 and for 100 rows', async () => {
  const q = `query($n: Int) { site_list(pagination: {limit: $n}) { total_count results { name display tenant { name sites(pagination: {limit: 2}) { name } } region { name } } } }`;
  const one = await gql(q, { n: 1 });
  const hundred = await gql(q, { n: 100 });
  expect(one.errors).toBeUndefined();
  expect(hundred.data!.site_list.results).toHaveLength(100);
  expect(one.extensions?.strata?.sql_statements).toBeGreaterThan(0);
  expect(hundred.extensions?.strata?.sql_statements).toBe(one.extensions?.strata?.sql_statements);
});

it('pages a large export with keyset pagination (first page in id order, then start = last id)', async () => {
  const seen: string[] = [];
  let start: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: Awaited<ReturnType<typeof gql>> = start
      ? await gql(`query($s: ID) { site_list(pagination: {start: $s, limit: 30}) { total_count results { id } } }`, { s: start })
      : await gql(`{ site_list(pagination: {limit: 30}, order: {id: ASC}) { total_count results { id } } }`);
    expect(page.errors).toBeUndefined();
    const ids = (page.data!.site_list.results as { id: string }[]).map((r) => r.id);
    if (!ids.length) break;
    seen.push(...ids);
    start = ids[ids.length - 1]!;
  }
  expect(seen).toHaveLength(100);
  expect(new Set(seen).size).toBe(100);
  expect([...seen].sort()).toEqual(seen);
});
