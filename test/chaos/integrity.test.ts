// Chaos (bounded, loopback only) for issue #8 items 1-3, from outside through the gateway as a
// client would: a burst of concurrent updates then time travel at every version boundary, a
// delete racing references, and concurrent creates of one unique value on a branch that must
// still merge. Subgraph-level detail is in subgraphs/inventory/test/write-integrity.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  const g = stack.graphql;
  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
});
afterAll(async () => {
  await stack?.close();
});

describe('through the gateway', () => {
  it('30 concurrent updates of one site: at every instant of the burst exactly one version is visible', async () => {
    const c = await stack.graphql(`mutation { site_create(data: {name: "burst", slug: "burst"}) { id last_updated } }`);
    const id = c.data!.site_create.id as string;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stack.graphql(`mutation($id: ID!, $d: String!) { site_update(id: $id, data: {description: $d}) { last_updated } }`, { id, d: `v${i}` })),
    );
    for (const a of answers) expect(a.errors).toBeUndefined();
    const stamps = [c.data!.site_create.last_updated as string, ...answers.map((a) => a.data!.site_update.last_updated as string)];
    expect(new Set(stamps).size).toBe(31);
    const sorted = [...stamps].sort();
    for (const s of sorted) {
      for (const delta of [-1, 0, 1]) {
        const at = new Date(new Date(s).getTime() + delta).toISOString();
        const r = await stack.graphql(`query($id: ID!) { site_list(filters: {id: {exact: $id}}) { total_count } }`, { id }, { at });
        expect(r.errors).toBeUndefined();
        expect({ at, n: r.data!.site_list.total_count }).toEqual({ at, n: s === sorted[0] && delta < 0 ? 0 : 1 });
      }
    }
  });

  it('a site delete racing 10 device creates never leaves a device without its site', async () => {
    for (let round = 0; round < 3; round++) {
      const s = await stack.graphql(`mutation($s: String!) { site_create(data: {name: $s, slug: $s}) { id } }`, { s: `race${round}` });
      const site = s.data!.site_create.id as string;
      const [del, ...creates] = await Promise.all([
        stack.graphql(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: site }),
        ...Array.from({ length: 10 }, (_, i) =>
          stack.graphql(`mutation($s: ID!, $n: String!) { device_create(data: {name: $n, site: {id: $s}, device_type: {slug: "x1"}, role: {slug: "leaf"}}) { id } }`, {
            s: site,
            n: `r${round}d${i}`,
          }),
        ),
      ]);
      const made = creates.filter((c) => !c.errors).length;
      expect(del!.errors ? made > 0 : made === 0).toBe(true);
      const devices = await stack.graphql(`query($s: ID!) { device_list(filters: {site_id: $s}) { total_count results { site { id } } } }`, { s: site });
      expect(devices.data!.device_list.total_count).toBe(made);
      for (const d of devices.data!.device_list.results) expect(d.site).not.toBeNull();
    }
  });

  it('20 concurrent creates of one slug on a branch make one site, and the branch merges', async () => {
    const b = await stack.graphql(`mutation { branch_create(data: {name: "uniq-chaos"}) { name } }`);
    expect(b.errors).toBeUndefined();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => stack.graphql(`mutation { site_create(data: {name: "one", slug: "one"}) { id } }`, {}, { branch: 'uniq-chaos' })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(r.errors![0]!.extensions?.code).toBe('UNIQUENESS_VIOLATION');
    const merged = await stack.graphql(`mutation { branch_merge(name: "uniq-chaos") { status } }`);
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.branch_merge.status).toBe('MERGED');
    const onMain = await stack.graphql(`{ site_list(filters: {slug: {exact: "one"}}) { total_count } }`);
    expect(onMain.data!.site_list.total_count).toBe(1);
  });

  it('a merge records the person who merged, with before/after data', async () => {
    const s = await stack.graphql(`mutation { site_create(data: {name: "merged-site", slug: "merged-site"}) { id } }`);
    const id = s.data!.site_create.id as string;
    await stack.graphql(`mutation { branch_create(data: {name: "who-merged"}) { name } }`);
    await stack.graphql(`mutation($id: ID!) { site_update(id: $id, data: {description: "from the branch"}) { id } }`, { id }, { branch: 'who-merged' });
    const merged = await stack.graphql(`mutation { branch_merge(name: "who-merged") { status } }`);
    expect(merged.errors).toBeUndefined();
    let entry: { user_name: string | null; action: string; branch: string } | undefined;
    for (let i = 0; i < 50 && !entry; i++) {
      const log = await stack.graphql(`query($id: ID!) { site(id: $id) { changelog { action user_name branch prechange_data postchange_data } } }`, { id });
      entry = (log.data?.site?.changelog ?? []).find(
        (e: { action: string; branch: string; postchange_data?: { description?: string } }) =>
          e.branch === 'main' && e.action === 'update' && e.postchange_data?.description === 'from the branch',
      );
      if (!entry) await new Promise((r) => setTimeout(r, 100));
    }
    expect(entry).toMatchObject({ user_name: 'admin', action: 'update' });
  });
});
