// Merges under concurrency: two branches merged at the same time and writers on main during a
// merge leave main consistent (every branch's changes fully applied or not at all, no lost
// main writes, no duplicate current versions).
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { internalPost } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, TEST_SECRET, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const main = (q: string, v?: Record<string, unknown>) => callSubgraph(inv.url, 'inventory', q, v);
const on = (branch: string, branchedFrom: string) => (q: string, v?: Record<string, unknown>) =>
  callSubgraph(inv.url, 'inventory', q, v, { branch, branchMeta: { branchedFrom, isolated: true } });
const merge = (branch: string, branched_from: string) =>
  internalPost<{ merged: number }>(
    '/internal/branch/merge',
    { branch, branched_from },
    { secret: TEST_SECRET, from: 'branching', to: 'inventory', baseUrl: new URL(inv.url).origin },
  );

beforeAll(async () => {
  db = await createTestDatabase('inv_concurrency');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('merges two branches concurrently while main keeps being written', async () => {
  const base = await main(`mutation($d: [TagCreateInput!]!) { tag_bulk_create(data: $d) { id name } }`, {
    d: Array.from({ length: 60 }, (_, i) => ({ name: `t${i}`, slug: `t${i}` })),
  });
  const tags = base.data!.tag_bulk_create as { id: string; name: string }[];
  await sleep(5);
  const from = new Date().toISOString();
  await sleep(5);
  // branch A renames tags 0..19 (weight), branch B sets colors on 20..39, both add new tags
  for (const t of tags.slice(0, 20)) await on('a', from)(`mutation($id: ID!) { tag_update(id: $id, data: {weight: 1}) { id } }`, { id: t.id });
  for (const t of tags.slice(20, 40)) await on('b', from)(`mutation($id: ID!) { tag_update(id: $id, data: {color: "00ff00"}) { id } }`, { id: t.id });
  await on('a', from)(`mutation($d: [TagCreateInput!]!) { tag_bulk_create(data: $d) { id } }`, { d: Array.from({ length: 50 }, (_, i) => ({ name: `a${i}`, slug: `a${i}` })) });
  await on('b', from)(`mutation($d: [TagCreateInput!]!) { tag_bulk_create(data: $d) { id } }`, { d: Array.from({ length: 50 }, (_, i) => ({ name: `b${i}`, slug: `b${i}` })) });

  // main writers on tags 40..59 during the merges
  let writes = 0;
  let stop = false;
  const lastWeight = new Map<string, number>();
  const writer = (async () => {
    while (!stop) {
      const t = tags[40 + (writes % 20)]!;
      const r = await main(`mutation($id: ID!, $w: Int!) { tag_update(id: $id, data: {weight: $w}) { id } }`, { id: t.id, w: 5000 + writes });
      expect(r.errors).toBeUndefined();
      lastWeight.set(t.name, 5000 + writes);
      writes++;
    }
  })();
  const [ra, rb] = await Promise.all([merge('a', from), merge('b', from)]);
  stop = true;
  await writer;
  expect(ra.merged).toBe(70);
  expect(rb.merged).toBe(70);

  const all = await main(`{ tag_list(pagination: {limit: 1000}) { total_count results { name color weight } } }`);
  expect(all.data!.tag_list.total_count).toBe(160);
  const byName = new Map((all.data!.tag_list.results as { name: string; color: string; weight: number }[]).map((t) => [t.name, t]));
  for (let i = 0; i < 20; i++) expect(byName.get(`t${i}`)!.weight).toBe(1);
  for (let i = 20; i < 40; i++) expect(byName.get(`t${i}`)!.color).toBe('00ff00');
  for (let i = 0; i < 50; i++) expect(byName.has(`a${i}`) && byName.has(`b${i}`)).toBe(true);
  // no lost main writes: every tag main wrote during the merges has the last weight written to it
  expect(writes).toBeGreaterThan(0);
  for (const [name, weight] of lastWeight) expect({ name, weight: byName.get(name)!.weight }).toEqual({ name, weight });

  // exactly one current version per node on main
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query(`SELECT id, count(*) FROM inventory.extras_tag WHERE _branch = 'main' AND _valid_to IS NULL GROUP BY id HAVING count(*) > 1`);
  await client.end();
  expect(rows).toEqual([]);
});
