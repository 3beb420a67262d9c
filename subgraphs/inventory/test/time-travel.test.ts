// Time travel: the answer at T equals what was answered at T, on main and on a branch, for
// singular, list, filters, nested relations and total_count.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const Q = `{ site_list(filters: {status: {in_list: [STATUS_ACTIVE, STATUS_PLANNED]}}) { total_count results { name status tenant { name } } } tenant_list { results { name sites { name } } } }`;

beforeAll(async () => {
  db = await createTestDatabase('inv_time');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('replays every snapshot on main and on a branch', async () => {
  const main = (q: string, v?: Record<string, unknown>, at?: string) => callSubgraph(inv.url, 'inventory', q, v, at ? { at } : {});
  const snapshots: { at: string; branch: string | null; answer: unknown }[] = [];
  let branchedFrom = '';
  const br = (q: string, v?: Record<string, unknown>, at?: string) =>
    callSubgraph(inv.url, 'inventory', q, v, { branch: 'tt', branchMeta: { branchedFrom, isolated: true }, ...(at ? { at } : {}) });
  const snap = async () => {
    await sleep(5);
    const at = new Date().toISOString();
    snapshots.push({ at, branch: null, answer: (await main(Q)).data });
    if (branchedFrom) snapshots.push({ at, branch: 'tt', answer: (await br(Q)).data });
    await sleep(5);
  };

  await snap();
  await main(`mutation { tenant_create(data: {name: "T", slug: "t"}) { id } }`);
  await snap();
  const s = await main(`mutation { site_create(data: {name: "S1", slug: "s1", status: STATUS_PLANNED, tenant: {slug: "t"}}) { id } }`);
  const id = s.data!.site_create.id;
  await snap();
  branchedFrom = new Date().toISOString();
  await sleep(5);
  await snap();
  await br(`mutation($id: ID!) { site_update(id: $id, data: {status: STATUS_ACTIVE, name: "S1-branch"}) { id } }`, { id });
  await snap();
  await main(`mutation($id: ID!) { site_update(id: $id, data: {tenant: null}) { id } }`, { id });
  await snap();
  await br(`mutation { site_create(data: {name: "S2", slug: "s2"}) { id } }`);
  await snap();
  await main(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id });
  await snap();

  expect(snapshots.length).toBeGreaterThan(10);
  for (const s of snapshots) {
    const replay = s.branch ? await br(Q, {}, s.at) : await main(Q, {}, s.at);
    expect(replay.data, `${s.branch ?? 'main'} at ${s.at}`).toEqual(s.answer);
  }
  // and the changes really happened
  expect(snapshots[0]!.answer).not.toEqual(snapshots[snapshots.length - 2]!.answer);
});
