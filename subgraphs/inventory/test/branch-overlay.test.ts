// Branch reads overlay the branch's changes on main as of branched_from (isolated) or live main
// (not isolated); deletes on a branch hide a node on that branch only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let branchedFrom: string;
const main = (query: string, variables?: Record<string, unknown>, at?: string) => callSubgraph(inv.url, 'inventory', query, variables, at ? { at } : {});
const onBranch = (isolated: boolean) => (query: string, variables?: Record<string, unknown>) =>
  callSubgraph(inv.url, 'inventory', query, variables, { branch: 'feat', branchMeta: { branchedFrom, isolated } });
const feat = onBranch(true);
const names = (r: Awaited<ReturnType<typeof main>>) => (r.data!.site_list.results as { name: string }[]).map((x) => x.name);

beforeAll(async () => {
  db = await createTestDatabase('inv_branch');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
  await main(`mutation { site_bulk_create(data: [{name: "A", slug: "a"}, {name: "B", slug: "b"}]) { id } }`);
  await new Promise((r) => setTimeout(r, 10));
  branchedFrom = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 10));
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('keeps branch changes off main and main changes after branched_from off an isolated branch', async () => {
  const c = await feat(`mutation { site_create(data: {name: "C", slug: "c"}) { id } }`);
  expect(c.errors).toBeUndefined();
  await main(`mutation { site_create(data: {name: "D", slug: "d"}) { id } }`);
  expect(names(await main(`{ site_list { results { name } } }`))).toEqual(['A', 'B', 'D']);
  expect(names(await feat(`{ site_list { results { name } } }`))).toEqual(['A', 'B', 'C']);
  expect(names(await onBranch(false)(`{ site_list { results { name } } }`))).toEqual(['A', 'B', 'C', 'D']);
  const count = await feat(`{ site_list { total_count } }`);
  expect(count.data!.site_list.total_count).toBe(3);
});

it('updates and deletes on a branch only', async () => {
  const list = await main(`{ site_list(filters: {name: {in_list: ["A", "B"]}}) { results { id name } } }`);
  const [a, b] = list.data!.site_list.results as { id: string }[];
  const u = await feat(`mutation($id: ID!) { site_update(id: $id, data: {facility: "branch"}) { facility } }`, { id: a!.id });
  expect(u.data!.site_update.facility).toBe('branch');
  await feat(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: b!.id });
  expect(names(await feat(`{ site_list { results { name } } }`))).toEqual(['A', 'C']);
  const onMain = await main(`query($id: ID!) { site(id: $id) { facility } }`, { id: a!.id });
  expect(onMain.data!.site.facility).toBe('');
  expect(names(await main(`{ site_list { results { name } } }`))).toEqual(['A', 'B', 'D']);
  const filtered = await feat(`{ site_list(filters: {facility: {exact: "branch"}}) { results { name } } }`);
  expect(names(filtered)).toEqual(['A']);
});

it('checks uniqueness against what the branch sees', async () => {
  const dup = await feat(`mutation { site_create(data: {name: "A", slug: "a2"}) { id } }`);
  expect(dup.errors?.[0]?.extensions?.code).toBe('UNIQUENESS_VIOLATION');
  // B was deleted on the branch: its name is free there
  const reuse = await feat(`mutation { site_create(data: {name: "B", slug: "b2"}) { id } }`);
  expect(reuse.errors).toBeUndefined();
});
