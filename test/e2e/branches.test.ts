// Issue 4 through the gateway: a branch's life (create, change, diff, conflict, resolve, merge,
// rebase) and time travel across it, with the real subgraphs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../stack.ts';

let stack: Stack;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('branches end to end', () => {
  it('diffs, flags conflicts, refuses, then merges with resolutions', async () => {
    const g = stack.graphql.bind(stack);
    const s = await g(`mutation { site_bulk_create(data: [{name: "AMS", slug: "ams"}, {name: "FRA", slug: "fra"}]) { id name } }`);
    const [ams, fra] = s.data!.site_bulk_create as { id: string }[];
    await sleep(10);
    const beforeBranch = new Date().toISOString();
    const b = await g(`mutation { branch_create(data: {name: "feature-1", description: "demo"}) { name status isolated branched_from } }`);
    expect(b.data!.branch_create).toMatchObject({ name: 'feature-1', status: 'OPEN', isolated: true });
    const br = (q: string, v?: Record<string, unknown>) => g(q, v, { branch: 'feature-1' });

    expect((await br(`mutation($id: ID!) { site_update(id: $id, data: {facility: "DC-B"}) { facility } }`, { id: ams!.id })).errors).toBeUndefined();
    await br(`mutation { site_create(data: {name: "LON", slug: "lon"}) { id } }`);
    await br(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: fra!.id });
    await g(`mutation($id: ID!) { site_update(id: $id, data: {facility: "DC-M"}) { facility } }`, { id: ams!.id });

    const diff = await g(
      `{ branch_diff(name: "feature-1") { summary { num_added num_updated num_removed num_conflicts } total_count nodes { kind display action conflict elements { name old_value new_value main_value conflict } conflicts { id type } } } }`,
    );
    expect(diff.errors).toBeUndefined();
    expect(diff.data!.branch_diff.summary).toEqual({ num_added: 1, num_updated: 1, num_removed: 1, num_conflicts: 1 });
    const updated = (diff.data!.branch_diff.nodes as { action: string; elements: unknown[]; conflicts: { id: string }[] }[]).find((n) => n.action === 'UPDATED')!;
    expect(updated.elements).toEqual([{ name: 'facility', old_value: '', new_value: 'DC-B', main_value: 'DC-M', conflict: true }]);
    const filtered = await g(`{ branch_diff(name: "feature-1", kinds: ["TenancyTenant"]) { total_count } }`);
    expect(filtered.data!.branch_diff.total_count).toBe(0);
    const sitesOnly = await g(`{ branch_diff(name: "feature-1", kinds: ["DcimSite"]) { total_count nodes { kind } } }`);
    expect(sitesOnly.data!.branch_diff.total_count).toBe(3);
    expect(new Set(sitesOnly.data!.branch_diff.nodes.map((n: { kind: string }) => n.kind))).toEqual(new Set(['DcimSite']));

    const validate = await g(`mutation { branch_validate(name: "feature-1") { ok conflicts { id field type } } }`);
    expect(validate.data!.branch_validate.ok).toBe(false);
    expect((await g(`{ branch(name: "feature-1") { status } }`)).data!.branch.status).toBe('NEED_REBASE');

    const refused = await g(`mutation { branch_merge(name: "feature-1") { status } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await g(`{ branch(name: "feature-1") { status } }`)).data!.branch.status).not.toBe('MERGING');
    expect((await g(`{ site_list { total_count } }`)).data!.site_list.total_count).toBe(2);

    await sleep(10);
    const beforeMerge = new Date().toISOString();
    const merged = await g(`mutation($r: [BranchConflictResolutionInput!]) { branch_merge(name: "feature-1", resolutions: $r) { status } }`, {
      r: [{ conflict_id: updated.conflicts[0]!.id, selected: 'BRANCH' }],
    });
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.branch_merge.status).toBe('MERGED');
    const after = await g(`{ site_list { results { name facility } } }`);
    expect(after.data!.site_list.results).toEqual([
      { name: 'AMS', facility: 'DC-B' },
      { name: 'LON', facility: '' },
    ]);
    // time travel on main: before the merge, before the branch
    const atMerge = await g(`{ site_list { results { name facility } } }`, {}, { at: beforeMerge });
    expect(atMerge.data!.site_list.results).toEqual([
      { name: 'AMS', facility: 'DC-M' },
      { name: 'FRA', facility: '' },
    ]);
    const atBranch = await g(`{ site_list { results { name facility } } }`, {}, { at: beforeBranch });
    expect(atBranch.data!.site_list.results).toEqual([
      { name: 'AMS', facility: '' },
      { name: 'FRA', facility: '' },
    ]);
    // history records the branch's life
    let events: { action: string; object_repr: string; postchange_data: { status: string } }[] = [];
    for (let i = 0; i < 50; i++) {
      events =
        (await g(`{ changelog_list(filters: {changed_object_type: {exact: "Branch"}, object_repr: {exact: "feature-1"}}) { results { action object_repr postchange_data } } }`))
          .data?.changelog_list?.results ?? [];
      if (events.some((e) => e.postchange_data.status === 'MERGED')) break;
      await sleep(100);
    }
    expect(events.map((e) => e.postchange_data.status)).toEqual(expect.arrayContaining(['OPEN', 'MERGING', 'MERGED']));
    // a merged branch takes no more writes
    const late = await br(`mutation { site_create(data: {name: "X", slug: "x"}) { id } }`);
    expect(late.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rebases a branch onto main', async () => {
    const g = stack.graphql.bind(stack);
    const t = await g(`mutation { tag_create(data: {name: "R", slug: "r"}) { id } }`);
    const id = t.data!.tag_create.id as string;
    await g(`mutation { branch_create(data: {name: "feature-2"}) { name } }`);
    await g(`mutation($id: ID!) { tag_update(id: $id, data: {color: "00ff00"}) { id } }`, { id }, { branch: 'feature-2' });
    await g(`mutation($id: ID!) { tag_update(id: $id, data: {weight: 7}) { id } }`, { id });
    const before = await g(`{ branch(name: "feature-2") { branched_from } }`);
    const rebased = await g(`mutation { branch_rebase(name: "feature-2") { status branched_from } }`);
    expect(rebased.errors).toBeUndefined();
    expect(new Date(rebased.data!.branch_rebase.branched_from).getTime()).toBeGreaterThan(new Date(before.data!.branch.branched_from).getTime());
    // the gateway sees the new branched_from (bus broadcast or short cache)
    let tag: Record<string, unknown> | undefined;
    for (let i = 0; i < 50; i++) {
      tag = (await g(`query($id: ID!) { tag(id: $id) { color weight } }`, { id }, { branch: 'feature-2' })).data!.tag;
      if (tag!.weight === 7) break;
      await sleep(100);
    }
    expect(tag).toEqual({ color: '00ff00', weight: 7 });
  });

  it('rebases with conflicting changes only with a resolution per conflict', async () => {
    const g = stack.graphql.bind(stack);
    const t = await g(`mutation { tag_create(data: {name: "RC", slug: "rc", color: "000000"}) { id } }`);
    const id = t.data!.tag_create.id as string;
    await g(`mutation { branch_create(data: {name: "feature-3"}) { name } }`);
    await g(`mutation($id: ID!) { tag_update(id: $id, data: {color: "aaaaaa"}) { id } }`, { id }, { branch: 'feature-3' });
    await g(`mutation($id: ID!) { tag_update(id: $id, data: {color: "bbbbbb", weight: 3}) { id } }`, { id });
    const refused = await g(`mutation { branch_rebase(name: "feature-3") { status } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const rebased = await g(`mutation($r: [BranchConflictResolutionInput!]) { branch_rebase(name: "feature-3", resolutions: $r) { status } }`, {
      r: [{ conflict_id: `${id}/color`, selected: 'BRANCH' }],
    });
    expect(rebased.errors).toBeUndefined();
    let tag: Record<string, unknown> | undefined;
    for (let i = 0; i < 30; i++) {
      tag = (await g(`query($id: ID!) { tag(id: $id) { color weight } }`, { id }, { branch: 'feature-3' })).data?.tag;
      if (tag?.weight === 3) break;
      await sleep(100);
    }
    // the branch keeps its color and now sees main's weight; nothing is left to resolve
    expect(tag).toEqual({ color: 'aaaaaa', weight: 3 });
    const v = await g(`mutation { branch_validate(name: "feature-3") { ok } }`);
    expect(v.data!.branch_validate.ok).toBe(true);
  });

  it('refuses to merge or rebase main', async () => {
    const r = await stack.graphql(`mutation { branch_merge(name: "main") { status } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const rb = await stack.graphql(`mutation { branch_rebase(name: "main") { status } }`);
    expect(rb.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const d = await stack.graphql(`mutation { branch_delete(name: "main") { ok } }`);
    expect(d.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
  });
});
