// The inventory as a branch participant: diff, conflicts, resolutions, atomic merge (with an
// injected failure) and rebase, driven through its internal endpoints as branching does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalPost, InternalCallError } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, TEST_SECRET, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let failMerge = false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const main = (query: string, variables?: Record<string, unknown>, at?: string) => callSubgraph(inv.url, 'inventory', query, variables, at ? { at } : {});
const on = (branch: string, branchedFrom: string) => (query: string, variables?: Record<string, unknown>) =>
  callSubgraph(inv.url, 'inventory', query, variables, { branch, branchMeta: { branchedFrom, isolated: true } });
const participant = <T>(op: string, body: Record<string, unknown>) =>
  internalPost<T>(`/internal/branch/${op}`, body, { secret: TEST_SECRET, from: 'branching', to: 'inventory', baseUrl: new URL(inv.url).origin });

async function branchAt(): Promise<string> {
  await sleep(5);
  const t = new Date().toISOString();
  await sleep(5);
  return t;
}

interface DiffNode {
  kind: string;
  id: string;
  display: string;
  action: string;
  fields: { name: string; old: unknown; new: unknown; conflict: boolean }[];
  conflicts: { id: string; type: string }[];
}

beforeAll(async () => {
  db = await createTestDatabase('inv_participant');
  inv = await start(serviceEnv(db.url), {
    publisher: { publish: async () => {} },
    faults: {
      beforeMergeCommit: () => {
        if (failMerge) throw new Error('injected failure');
      },
    },
  });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

describe('branch participant', () => {
  it('diffs, refuses unresolved conflicts, merges atomically with resolutions', async () => {
    const s = await main(`mutation { site_bulk_create(data: [{name: "A", slug: "a"}, {name: "B", slug: "b"}, {name: "C", slug: "c"}]) { id name } }`);
    const [a, b, c] = s.data!.site_bulk_create as { id: string }[];
    const from = await branchAt();
    const br = on('b1', from);
    await br(`mutation($id: ID!) { site_update(id: $id, data: {facility: "branch", comments: "x"}) { id } }`, { id: a!.id });
    await br(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: b!.id });
    await br(`mutation { site_create(data: {name: "N", slug: "n"}) { id } }`);
    await br(`mutation($id: ID!) { site_update(id: $id, data: {facility: "f"}) { id } }`, { id: c!.id });
    // main changes after branched_from
    await main(`mutation($id: ID!) { site_update(id: $id, data: {facility: "main", time_zone: "UTC"}) { id } }`, { id: a!.id });
    await main(`mutation($id: ID!) { site_update(id: $id, data: {comments: "main"}) { id } }`, { id: b!.id });
    await main(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: c!.id });

    const diff = await participant<{ nodes: DiffNode[] }>('diff', { branch: 'b1', branched_from: from });
    const byName = Object.fromEntries(diff.nodes.map((n) => [n.display, n]));
    expect(byName.A!.action).toBe('UPDATED');
    expect(byName.A!.fields).toEqual(
      expect.arrayContaining([
        { name: 'facility', old: '', new: 'branch', main: 'main', conflict: true },
        { name: 'comments', old: '', new: 'x', conflict: false },
      ]),
    );
    expect(byName.B!.action).toBe('REMOVED');
    expect(byName.B!.conflicts.map((x) => x.type)).toEqual(['REMOVED_ON_BRANCH']);
    expect(byName.N!.action).toBe('ADDED');
    expect(byName.C!.conflicts.map((x) => x.type)).toEqual(['REMOVED_ON_MAIN']);

    const refused = await participant('merge', { branch: 'b1', branched_from: from }).catch((e: InternalCallError) => e);
    expect(refused).toBeInstanceOf(InternalCallError);
    expect((refused as InternalCallError).status).toBe(409);

    const resolutions = [
      { conflict_id: `${a!.id}/facility`, selected: 'BRANCH' },
      { conflict_id: `${b!.id}/*`, selected: 'MAIN' },
      { conflict_id: `${c!.id}/*`, selected: 'BRANCH' },
    ];
    const before = await main(`{ site_list { results { name facility comments time_zone } } }`);
    failMerge = true;
    const failed = await participant('merge', { branch: 'b1', branched_from: from, resolutions }).catch((e: InternalCallError) => e);
    failMerge = false;
    expect((failed as InternalCallError).status).toBe(500);
    expect(await main(`{ site_list { results { name facility comments time_zone } } }`)).toEqual(before);

    const merged = await participant<{ merged: number }>('merge', { branch: 'b1', branched_from: from, resolutions });
    expect(merged.merged).toBe(3);
    const after = await main(`{ site_list { results { name facility comments time_zone } } }`);
    expect(after.data!.site_list.results).toEqual([
      { name: 'A', facility: 'branch', comments: 'x', time_zone: 'UTC' },
      { name: 'B', facility: '', comments: 'main', time_zone: '' },
      { name: 'C', facility: 'f', comments: '', time_zone: '' },
      { name: 'N', facility: '', comments: '', time_zone: '' },
    ]);
  });

  it('rebases: keeps branch changes, takes main changes, moves branched_from', async () => {
    const s = await main(`mutation { site_create(data: {name: "R", slug: "r"}) { id } }`);
    const id = s.data!.site_create.id as string;
    const from = await branchAt();
    await on('b2', from)(`mutation($id: ID!) { site_update(id: $id, data: {facility: "fb"}) { id } }`, { id });
    await main(`mutation($id: ID!) { site_update(id: $id, data: {time_zone: "CET"}) { id } }`, { id });
    const r = await participant<{ branched_from: string }>('rebase', { branch: 'b2', branched_from: from });
    const after = on('b2', r.branched_from);
    const site = await after(`query($id: ID!) { site(id: $id) { facility time_zone } }`, { id });
    expect(site.data!.site).toEqual({ facility: 'fb', time_zone: 'CET' });
    const diff = await participant<{ nodes: DiffNode[] }>('diff', { branch: 'b2', branched_from: r.branched_from });
    expect(diff.nodes).toHaveLength(1);
    expect(diff.nodes[0]!.fields.map((f) => f.name)).toEqual(['facility']);
  });

  it('refuses a merge that would break uniqueness on main with CONFLICT and writes nothing', async () => {
    const from = await branchAt();
    await on('b3', from)(`mutation { site_create(data: {name: "U", slug: "u"}) { id } }`);
    await main(`mutation { site_create(data: {name: "U", slug: "u-main"}) { id } }`);
    const before = await main(`{ site_list { total_count } }`);
    const err = await participant('merge', { branch: 'b3', branched_from: from }).catch((e: InternalCallError) => e);
    expect((err as InternalCallError).status).toBe(409);
    expect(await main(`{ site_list { total_count } }`)).toEqual(before);
  });
});
