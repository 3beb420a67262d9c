// Branch operations against the REAL inventory participant (started in-process on the same test
// database): branch_diff (summary, elements, kinds, pagination), branch_validate (each conflict
// type, NEED_REBASE), merge refused with CONFLICT, merge with resolutions, an injected failure
// inside the inventory's merge transaction, concurrent merges, stale MERGING, rebase,
// permissions and the status broadcasts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, VIEWER, type GqlResponse, type TestDatabase } from '../../../test/support.ts';
import { start as startInventory, type RunningInventory } from '../../inventory/src/server.ts';
import { createPrisma, type BranchingPrisma } from '../src/db.ts';
import type { BranchChange } from '../src/events.ts';
import { start as startBranching } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let branching: Awaited<ReturnType<typeof startBranching>>;
let prisma: BranchingPrisma;
const events: BranchChange[] = [];

// fault injection inside the inventory's merge transaction (after its writes, before COMMIT)
let mergeHookCalls = 0;
let failMerge = false;
let holdMerge: { reached: () => void; release: Promise<void> } | null = null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Ctx = Parameters<typeof callSubgraph>[4];

const gql = (query: string, variables: Record<string, unknown> = {}, ctx: Ctx = {}) => callSubgraph(branching.url, 'branching', query, variables, ctx);
const main = (query: string, variables: Record<string, unknown> = {}) => callSubgraph(inv.url, 'inventory', query, variables);
const code = (r: GqlResponse) => r.errors?.[0]?.extensions?.code as string | undefined;

/** Writes/reads on a branch as the gateway would sign them (branch meta from the branching subgraph). */
async function onBranch(name: string, query: string, variables: Record<string, unknown> = {}) {
  const b = (await gql(`query($n: String!) { branch(name: $n) { branched_from isolated } }`, { n: name })).data!.branch as { branched_from: string; isolated: boolean };
  const res = await callSubgraph(inv.url, 'inventory', query, variables, { branch: name, branchMeta: { branchedFrom: b.branched_from, isolated: b.isolated } });
  expect(res.errors).toBeUndefined();
  return res;
}

async function createBranch(name: string): Promise<void> {
  await sleep(3); // main's earlier writes strictly before branched_from
  const r = await gql(`mutation($n: String!) { branch_create(data: {name: $n}) { name } }`, { n: name });
  expect(r.errors).toBeUndefined();
  await sleep(3);
}

async function site(name: string): Promise<string> {
  const r = await main(`mutation($n: String!, $s: String!) { site_create(data: {name: $n, slug: $s}) { id } }`, { n: name, s: name.toLowerCase() });
  expect(r.errors).toBeUndefined();
  return r.data!.site_create.id as string;
}

const statusOf = async (name: string) => (await gql(`query($n: String!) { branch(name: $n) { status } }`, { n: name })).data!.branch.status as string;
const sites = async () => (await main(`{ site_list { results { name facility comments time_zone tenant { name } } } }`)).data!.site_list.results as Record<string, unknown>[];
const statusesOf = (name: string) => events.filter((e) => e.name === name).map((e) => e.status);

const DIFF = `query($n: String!, $k: [String!], $p: OffsetPaginationInput) { branch_diff(name: $n, kinds: $k, pagination: $p) {
  branch branched_from total_count page_info { offset limit }
  summary { num_added num_updated num_removed num_conflicts }
  nodes { kind id display action conflict elements { name old_value new_value main_value conflict } conflicts { id kind node_id field type base_value branch_value main_value } } } }`;
const VALIDATE = `mutation($n: String!) { branch_validate(name: $n) { ok conflicts { id kind node_id field type base_value branch_value main_value } } }`;
const MERGE = `mutation($n: String!, $r: [BranchConflictResolutionInput!]) { branch_merge(name: $n, resolutions: $r) { name status merged_at branched_from } }`;
const REBASE = `mutation($n: String!, $r: [BranchConflictResolutionInput!]) { branch_rebase(name: $n, resolutions: $r) { name status branched_from } }`;

interface DiffNode {
  kind: string;
  id: string;
  display: string;
  action: string;
  conflict: boolean;
  elements: { name: string; old_value: unknown; new_value: unknown; main_value: unknown; conflict: boolean }[];
  conflicts: { id: string; type: string; field: string; node_id: string }[];
}

beforeAll(async () => {
  db = await createTestDatabase('branch_participants');
  inv = await startInventory(serviceEnv(db.url), {
    publisher: { publish: async () => {} },
    faults: {
      beforeMergeCommit: async () => {
        mergeHookCalls++;
        if (holdMerge) {
          holdMerge.reached();
          await holdMerge.release;
        }
        if (failMerge) throw new Error('injected failure before commit');
      },
    },
  });
  branching = await startBranching(serviceEnv(db.url, { INVENTORY_URL: inv.url, STRATA_BRANCH_PARTICIPANTS: undefined, STRATA_MAX_PAGE_SIZE: '50' }), {
    events: { branchChanged: async (c) => void events.push(c) },
  });
  prisma = createPrisma({ url: db.url, schema: 'branching' });
});
afterAll(async () => {
  await branching?.close();
  await inv?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

describe('a branch with every kind of change and conflict', () => {
  const ids: Record<string, string> = {};
  let conflictIds: Record<string, string> = {};

  beforeAll(async () => {
    for (const n of ['A', 'B', 'C', 'D']) ids[n] = await site(n);
    ids.T = (await main(`mutation { tenant_create(data: {name: "T", slug: "t"}) { id } }`)).data!.tenant_create.id as string;
    await createBranch('feat-1');
    await onBranch('feat-1', `mutation($id: ID!) { site_update(id: $id, data: {facility: "branch", comments: "x"}) { id } }`, { id: ids.A });
    await onBranch('feat-1', `mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: ids.B });
    await onBranch('feat-1', `mutation($id: ID!) { site_update(id: $id, data: {facility: "f"}) { id } }`, { id: ids.C });
    await onBranch('feat-1', `mutation($id: ID!, $t: ID!) { site_update(id: $id, data: {tenant: {id: $t}}) { id } }`, { id: ids.D, t: ids.T });
    ids.N = (await onBranch('feat-1', `mutation { site_create(data: {name: "N", slug: "n"}) { id } }`)).data!.site_create.id as string;
    ids.BT = (await onBranch('feat-1', `mutation { tenant_create(data: {name: "BT", slug: "bt"}) { id } }`)).data!.tenant_create.id as string;
    // main moves on after branched_from
    await main(`mutation($id: ID!) { site_update(id: $id, data: {facility: "main", time_zone: "UTC"}) { id } }`, { id: ids.A });
    await main(`mutation($id: ID!) { site_update(id: $id, data: {comments: "main"}) { id } }`, { id: ids.B });
    await main(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: ids.C });
  });

  it('diffs: summary, per-node action, per-field old/new/main values, conflicts flagged', async () => {
    const r = await gql(DIFF, { n: 'feat-1' });
    expect(r.errors).toBeUndefined();
    const d = r.data!.branch_diff;
    expect(d.branch).toBe('feat-1');
    expect(d.summary).toEqual({ num_added: 2, num_updated: 3, num_removed: 1, num_conflicts: 3 });
    expect(d.total_count).toBe(6);
    expect(d.page_info).toEqual({ offset: 0, limit: 50 });
    const byName = Object.fromEntries((d.nodes as DiffNode[]).map((n) => [n.display, n]));
    expect(Object.keys(byName).sort()).toEqual(['A', 'B', 'BT', 'C', 'D', 'N']);

    expect(byName.A).toMatchObject({ kind: 'DcimSite', id: ids.A, action: 'UPDATED', conflict: true });
    expect(byName.A!.elements).toEqual(
      expect.arrayContaining([
        { name: 'facility', old_value: '', new_value: 'branch', main_value: 'main', conflict: true },
        { name: 'comments', old_value: '', new_value: 'x', main_value: null, conflict: false },
      ]),
    );
    expect(byName.A!.elements).toHaveLength(2);
    expect(byName.A!.conflicts).toEqual([
      { id: `${ids.A}/facility`, kind: 'DcimSite', node_id: ids.A, field: 'facility', type: 'BOTH_CHANGED', base_value: '', branch_value: 'branch', main_value: 'main' },
    ]);

    expect(byName.B).toMatchObject({ action: 'REMOVED', conflict: true });
    expect(byName.B!.elements.find((e) => e.name === 'name')).toMatchObject({ old_value: 'B', new_value: null });
    expect(byName.B!.conflicts.map((c) => [c.type, c.field, c.id])).toEqual([['REMOVED_ON_BRANCH', '*', `${ids.B}/*`]]);

    expect(byName.C).toMatchObject({ action: 'UPDATED', conflict: true });
    expect(byName.C!.conflicts.map((c) => [c.type, c.id])).toEqual([['REMOVED_ON_MAIN', `${ids.C}/*`]]);

    // a relation change: old and new are the peer ids
    expect(byName.D).toMatchObject({ action: 'UPDATED', conflict: false, conflicts: [] });
    expect(byName.D!.elements).toEqual([{ name: 'tenant', old_value: null, new_value: ids.T, main_value: null, conflict: false }]);

    expect(byName.N).toMatchObject({ kind: 'DcimSite', action: 'ADDED', conflict: false });
    expect(byName.N!.elements.find((e) => e.name === 'name')).toEqual({ name: 'name', old_value: null, new_value: 'N', main_value: null, conflict: false });
    expect(byName.BT).toMatchObject({ kind: 'TenancyTenant', action: 'ADDED' });
  });

  it('filters by kinds (summary and total follow the filter)', async () => {
    const tenants = (await gql(DIFF, { n: 'feat-1', k: ['TenancyTenant'] })).data!.branch_diff;
    expect(tenants.summary).toEqual({ num_added: 1, num_updated: 0, num_removed: 0, num_conflicts: 0 });
    expect((tenants.nodes as DiffNode[]).map((n) => n.display)).toEqual(['BT']);
    const sitesOnly = (await gql(DIFF, { n: 'feat-1', k: ['DcimSite'] })).data!.branch_diff;
    expect(sitesOnly.total_count).toBe(5);
    expect((await gql(DIFF, { n: 'feat-1', k: ['DcimSite', 'TenancyTenant'] })).data!.branch_diff.total_count).toBe(6);
    expect((await gql(DIFF, { n: 'feat-1', k: ['IpamVLAN'] })).data!.branch_diff.total_count).toBe(0);
    // an empty list means every kind
    expect((await gql(DIFF, { n: 'feat-1', k: [] })).data!.branch_diff.total_count).toBe(6);
  });

  it('paginates with offset/limit in a stable order, limit capped at STRATA_MAX_PAGE_SIZE', async () => {
    const all = ((await gql(DIFF, { n: 'feat-1' })).data!.branch_diff.nodes as DiffNode[]).map((n) => n.id);
    const pages: string[] = [];
    for (let offset = 0; offset < 6; offset += 4) {
      const p = (await gql(DIFF, { n: 'feat-1', p: { offset, limit: 4 } })).data!.branch_diff;
      expect(p.total_count).toBe(6);
      expect(p.page_info).toEqual({ offset, limit: 4 });
      expect(p.summary.num_added).toBe(2); // the summary is for the whole diff, not the page
      pages.push(...(p.nodes as DiffNode[]).map((n) => n.id));
    }
    expect(pages).toEqual(all);
    expect((await gql(DIFF, { n: 'feat-1', p: { offset: 10, limit: 4 } })).data!.branch_diff.nodes).toEqual([]);
    expect((await gql(DIFF, { n: 'feat-1', p: { limit: 5000 } })).data!.branch_diff.page_info).toEqual({ offset: 0, limit: 50 });
    expect((await gql(DIFF, { n: 'feat-1', p: { limit: 0 } })).data!.branch_diff.nodes).toEqual([]);
    expect(code(await gql(DIFF, { n: 'feat-1', p: { offset: -1 } }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(DIFF, { n: 'feat-1', p: { start: ids.A } }))).toBe('BAD_USER_INPUT');
  });

  it('refuses diff of main, of unknown branches and with `at`', async () => {
    expect(code(await gql(DIFF, { n: 'main' }))).toBe('VALIDATION_ERROR');
    expect(code(await gql(DIFF, { n: 'nope' }))).toBe('BRANCH_NOT_FOUND');
    expect(code(await gql(DIFF, { n: 'feat-1' }, { at: new Date().toISOString() }))).toBe('BAD_USER_INPUT');
    // viewers may read diffs
    expect((await gql(DIFF, { n: 'feat-1' }, { user: VIEWER })).errors).toBeUndefined();
  });

  it('validates: lists each conflict type and sets NEED_REBASE', async () => {
    const r = await gql(VALIDATE, { n: 'feat-1' }, { user: VIEWER });
    expect(r.errors).toBeUndefined();
    const v = r.data!.branch_validate as { ok: boolean; conflicts: { id: string; type: string; field: string }[] };
    expect(v.ok).toBe(false);
    expect(v.conflicts.map((c) => c.type).sort()).toEqual(['BOTH_CHANGED', 'REMOVED_ON_BRANCH', 'REMOVED_ON_MAIN']);
    expect(v.conflicts.find((c) => c.type === 'BOTH_CHANGED')).toEqual({
      id: `${ids.A}/facility`,
      kind: 'DcimSite',
      node_id: ids.A,
      field: 'facility',
      type: 'BOTH_CHANGED',
      base_value: '',
      branch_value: 'branch',
      main_value: 'main',
    });
    conflictIds = Object.fromEntries(v.conflicts.map((c) => [c.type, c.id]));
    expect(await statusOf('feat-1')).toBe('NEED_REBASE');
    expect(statusesOf('feat-1')).toContain('NEED_REBASE');
  });

  it('refuses a merge with unresolved conflicts (CONFLICT, their ids listed), writes nothing, status OPEN', async () => {
    const before = await sites();
    const r = await gql(MERGE, { n: 'feat-1' });
    expect(code(r)).toBe('CONFLICT');
    expect((r.errors![0]!.extensions!.conflicts as string[]).sort()).toEqual(Object.values(conflictIds).sort());
    // one resolution of three: the two others are still listed
    const partial = await gql(MERGE, { n: 'feat-1', r: [{ conflict_id: conflictIds.BOTH_CHANGED, selected: 'BRANCH' }] });
    expect(code(partial)).toBe('CONFLICT');
    expect((partial.errors![0]!.extensions!.conflicts as string[]).sort()).toEqual([conflictIds.REMOVED_ON_BRANCH, conflictIds.REMOVED_ON_MAIN].sort());
    expect(await sites()).toEqual(before);
    expect(await statusOf('feat-1')).toBe('OPEN');
  });

  it('refuses the same conflict resolved twice with different sides', async () => {
    const r = await gql(MERGE, {
      n: 'feat-1',
      r: [
        { conflict_id: conflictIds.BOTH_CHANGED, selected: 'BRANCH' },
        { conflict_id: conflictIds.BOTH_CHANGED, selected: 'MAIN' },
      ],
    });
    expect(code(r)).toBe('BAD_USER_INPUT');
    expect(await statusOf('feat-1')).toBe('OPEN');
  });

  it('puts the branch back to OPEN and leaves main unchanged when the participant fails inside its merge', async () => {
    const before = await sites();
    events.length = 0;
    failMerge = true;
    const calls = mergeHookCalls;
    const r = await gql(MERGE, {
      n: 'feat-1',
      r: [
        { conflict_id: conflictIds.BOTH_CHANGED, selected: 'BRANCH' },
        { conflict_id: conflictIds.REMOVED_ON_BRANCH, selected: 'MAIN' },
        { conflict_id: conflictIds.REMOVED_ON_MAIN, selected: 'BRANCH' },
      ],
    });
    failMerge = false;
    expect(mergeHookCalls).toBe(calls + 1); // the writes were made, then rolled back
    expect(code(r)).toBe('INTERNAL_SERVER_ERROR');
    expect(r.errors![0]!.message).not.toMatch(/injected/);
    expect(await statusOf('feat-1')).toBe('OPEN');
    expect(statusesOf('feat-1')).toEqual(['MERGING', 'OPEN']);
    expect(await sites()).toEqual(before);
  });

  it('merges with resolutions: MERGED with merged_at, main shows the branch changes', async () => {
    events.length = 0;
    const before = Date.now();
    const r = await gql(MERGE, {
      n: 'feat-1',
      r: [
        { conflict_id: conflictIds.BOTH_CHANGED, selected: 'BRANCH' },
        { conflict_id: conflictIds.REMOVED_ON_BRANCH, selected: 'MAIN' },
        { conflict_id: conflictIds.REMOVED_ON_MAIN, selected: 'BRANCH' },
      ],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.branch_merge).toMatchObject({ name: 'feat-1', status: 'MERGED' });
    expect(Math.abs(new Date(r.data!.branch_merge.merged_at).getTime() - before)).toBeLessThan(60_000);
    expect(statusesOf('feat-1')).toEqual(['MERGING', 'MERGED']);
    expect(await sites()).toEqual([
      { name: 'A', facility: 'branch', comments: 'x', time_zone: 'UTC', tenant: null },
      { name: 'B', facility: '', comments: 'main', time_zone: '', tenant: null }, // MAIN kept it
      { name: 'C', facility: 'f', comments: '', time_zone: '', tenant: null }, // BRANCH brought it back
      { name: 'D', facility: '', comments: '', time_zone: '', tenant: { name: 'T' } },
      { name: 'N', facility: '', comments: '', time_zone: '', tenant: null },
    ]);
    expect((await main(`{ tenant_list { results { name } } }`)).data!.tenant_list.results).toEqual([{ name: 'BT' }, { name: 'T' }]);
    // the merged branch cannot be merged or rebased again
    const again = await gql(MERGE, { n: 'feat-1' });
    expect(code(again)).toBe('CONFLICT');
    expect(again.errors![0]!.extensions).toMatchObject({ branch: 'feat-1', status: 'MERGED' });
    expect(code(await gql(REBASE, { n: 'feat-1' }))).toBe('CONFLICT');
  });
});

describe('concurrent merges', () => {
  it('a second merge while the first is running is refused with CONFLICT; so are delete and rebase', async () => {
    const id = await site('Race1');
    await createBranch('race-1');
    await onBranch('race-1', `mutation($id: ID!) { site_update(id: $id, data: {facility: "r1"}) { id } }`, { id });
    let reached!: () => void;
    let release!: () => void;
    const atHook = new Promise<void>((r) => (reached = r));
    holdMerge = { reached, release: new Promise<void>((r) => (release = r)) };
    const calls = mergeHookCalls;
    const first = gql(MERGE, { n: 'race-1' });
    await atHook; // the first merge is inside the inventory's transaction
    const second = await gql(MERGE, { n: 'race-1' });
    expect(code(second)).toBe('CONFLICT');
    expect(second.errors![0]!.extensions).toMatchObject({ status: 'MERGING' });
    expect(code(await gql(`mutation { branch_delete(name: "race-1") { ok } }`))).toBe('CONFLICT');
    expect(code(await gql(REBASE, { n: 'race-1' }))).toBe('CONFLICT');
    expect(await statusOf('race-1')).toBe('MERGING');
    holdMerge = null;
    release();
    expect((await first).data!.branch_merge.status).toBe('MERGED');
    expect(mergeHookCalls).toBe(calls + 1);
  });

  it('of two simultaneous merges exactly one runs', async () => {
    const id = await site('Race2');
    await createBranch('race-2');
    await onBranch('race-2', `mutation($id: ID!) { site_update(id: $id, data: {facility: "r2"}) { id } }`, { id });
    const calls = mergeHookCalls;
    const results = await Promise.all([gql(MERGE, { n: 'race-2' }), gql(MERGE, { n: 'race-2' }), gql(MERGE, { n: 'race-2' })]);
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(code(r)).toBe('CONFLICT');
    expect(mergeHookCalls).toBe(calls + 1);
    expect(await statusOf('race-2')).toBe('MERGED');
  });

  it('a branch left MERGING by a merger that died can be merged again once stale', async () => {
    const id = await site('Stale');
    await createBranch('stale-1');
    await onBranch('stale-1', `mutation($id: ID!) { site_update(id: $id, data: {facility: "st"}) { id } }`, { id });
    await prisma.$executeRaw`UPDATE branches SET status = 'MERGING', updated_at = now() WHERE name = 'stale-1'`;
    expect(code(await gql(MERGE, { n: 'stale-1' }))).toBe('CONFLICT'); // still fresh: someone may be merging
    await prisma.$executeRaw`UPDATE branches SET updated_at = now() - interval '1 hour' WHERE name = 'stale-1'`;
    const r = await gql(MERGE, { n: 'stale-1' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.branch_merge.status).toBe('MERGED');
    expect((await main(`query($id: ID!) { site(id: $id) { facility } }`, { id })).data!.site.facility).toBe('st');
  });
});

describe('rebase', () => {
  it('moves branched_from to now, keeps the branch changes and takes main changes', async () => {
    const id = await site('R');
    await createBranch('rebase-1');
    await onBranch('rebase-1', `mutation($id: ID!) { site_update(id: $id, data: {facility: "fb"}) { id } }`, { id });
    await main(`mutation($id: ID!) { site_update(id: $id, data: {time_zone: "CET"}) { id } }`, { id });
    const before = (await gql(`{ branch(name: "rebase-1") { branched_from } }`)).data!.branch.branched_from as string;
    events.length = 0;
    const r = await gql(REBASE, { n: 'rebase-1' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.branch_rebase.status).toBe('OPEN');
    expect(new Date(r.data!.branch_rebase.branched_from).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect(events.filter((e) => e.name === 'rebase-1').map((e) => e.branched_from)).toEqual([new Date(r.data!.branch_rebase.branched_from).toISOString()]);
    const onIt = await onBranch('rebase-1', `query($id: ID!) { site(id: $id) { facility time_zone } }`, { id });
    expect(onIt.data!.site).toEqual({ facility: 'fb', time_zone: 'CET' });
    const d = (await gql(DIFF, { n: 'rebase-1' })).data!.branch_diff;
    expect(d.summary).toEqual({ num_added: 0, num_updated: 1, num_removed: 0, num_conflicts: 0 });
    expect((d.nodes as DiffNode[])[0]!.elements).toEqual([{ name: 'facility', old_value: '', new_value: 'fb', main_value: null, conflict: false }]);
  });

  it('needs resolutions for conflicts; NEED_REBASE becomes OPEN', async () => {
    const id = await site('RC');
    await createBranch('rebase-2');
    await onBranch('rebase-2', `mutation($id: ID!) { site_update(id: $id, data: {facility: "branch"}) { id } }`, { id });
    await main(`mutation($id: ID!) { site_update(id: $id, data: {facility: "main"}) { id } }`, { id });
    expect((await gql(VALIDATE, { n: 'rebase-2' })).data!.branch_validate.ok).toBe(false);
    expect(await statusOf('rebase-2')).toBe('NEED_REBASE');
    const before = (await gql(`{ branch(name: "rebase-2") { branched_from } }`)).data!.branch.branched_from as string;
    const refused = await gql(REBASE, { n: 'rebase-2' });
    expect(code(refused)).toBe('CONFLICT');
    expect(refused.errors![0]!.extensions!.conflicts).toEqual([`${id}/facility`]);
    expect((await gql(`{ branch(name: "rebase-2") { branched_from status } }`)).data!.branch).toEqual({ branched_from: before, status: 'NEED_REBASE' });
    const r = await gql(REBASE, { n: 'rebase-2', r: [{ conflict_id: `${id}/facility`, selected: 'MAIN' }] });
    expect(r.errors).toBeUndefined();
    expect(r.data!.branch_rebase.status).toBe('OPEN');
    expect((await onBranch('rebase-2', `query($id: ID!) { site(id: $id) { facility } }`, { id })).data!.site.facility).toBe('main');
    expect((await gql(VALIDATE, { n: 'rebase-2' })).data!.branch_validate).toEqual({ ok: true, conflicts: [] });
  });
});

describe('permissions and input', () => {
  it('merge and rebase need editor or admin, a user, and no `at`', async () => {
    await createBranch('perm-1');
    const editor = { id: 'u-ed', username: 'ed', roles: ['editor' as const], via: 'token' as const };
    expect(code(await gql(MERGE, { n: 'perm-1' }, { user: VIEWER }))).toBe('FORBIDDEN');
    expect(code(await gql(REBASE, { n: 'perm-1' }, { user: VIEWER }))).toBe('FORBIDDEN');
    expect(code(await gql(MERGE, { n: 'perm-1' }, { user: null }))).toBe('UNAUTHENTICATED');
    expect(code(await gql(VALIDATE, { n: 'perm-1' }, { user: null }))).toBe('UNAUTHENTICATED');
    expect(code(await gql(MERGE, { n: 'perm-1' }, { at: new Date().toISOString() }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(VALIDATE, { n: 'perm-1' }, { at: new Date().toISOString() }))).toBe('BAD_USER_INPUT');
    expect(await statusOf('perm-1')).toBe('OPEN');
    expect((await gql(REBASE, { n: 'perm-1' }, { user: editor })).data!.branch_rebase.status).toBe('OPEN');
    expect((await gql(MERGE, { n: 'perm-1' }, { user: editor })).data!.branch_merge.status).toBe('MERGED');
  });

  it('refuses main, unknown and deleted branches', async () => {
    expect(code(await gql(MERGE, { n: 'main' }))).toBe('VALIDATION_ERROR');
    expect(code(await gql(REBASE, { n: 'main' }))).toBe('VALIDATION_ERROR');
    expect(code(await gql(VALIDATE, { n: 'main' }))).toBe('VALIDATION_ERROR');
    expect(code(await gql(MERGE, { n: 'nope' }))).toBe('BRANCH_NOT_FOUND');
    await createBranch('gone-1');
    await gql(`mutation { branch_delete(name: "gone-1") { ok } }`);
    expect(code(await gql(MERGE, { n: 'gone-1' }))).toBe('BRANCH_NOT_FOUND');
    expect(code(await gql(DIFF, { n: 'gone-1' }))).toBe('BRANCH_NOT_FOUND');
  });
});
