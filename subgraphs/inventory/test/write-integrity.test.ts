// Integrity of versioned writes under concurrency (issue #8, items 1-4): version history ordered
// by commit with one visible version per instant, no dangling references (delete racing
// references, to-one and to-many, on main, on a branch and through a merge), unique constraints
// on branches, and the `if_last_updated` precondition with upsert races.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalPost } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, TEST_SECRET, type GqlResponse, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let sql: pg.Pool;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const branchFrom = new Map<string, string>();

/** GraphQL on main, or on a branch (isolated, branched now on first use). */
function gql(query: string, variables?: Record<string, unknown>, opts: { branch?: string; at?: string } = {}): Promise<GqlResponse> {
  const ctx: Record<string, unknown> = {};
  if (opts.branch) {
    if (!branchFrom.has(opts.branch)) branchFrom.set(opts.branch, new Date().toISOString());
    ctx.branch = opts.branch;
    ctx.branchMeta = { branchedFrom: branchFrom.get(opts.branch)!, isolated: true };
  }
  if (opts.at) ctx.at = opts.at;
  return callSubgraph(inv.url, 'inventory', query, variables, ctx);
}
const participant = <T>(op: string, branch: string, body: Record<string, unknown> = {}) =>
  internalPost<T>(
    `/internal/branch/${op}`,
    { branch, branched_from: branchFrom.get(branch)!, ...body },
    {
      secret: TEST_SECRET,
      from: 'branching',
      to: 'inventory',
      baseUrl: new URL(inv.url).origin,
    },
  );

beforeAll(async () => {
  db = await createTestDatabase('inv_integrity');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  await gql(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await gql(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await gql(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
});
afterAll(async () => {
  await sql?.end();
  await inv?.close();
  await db?.drop();
});

async function createSite(slug: string, branch?: string): Promise<string> {
  const r = await gql(`mutation($s: String!) { site_create(data: {name: $s, slug: $s}) { id } }`, { s: slug }, { branch });
  expect(r.errors).toBeUndefined();
  return r.data!.site_create.id;
}

interface Version {
  vid: number;
  from: Date;
  to: Date | null;
}
async function versions(table: string, id: string, branch: string): Promise<Version[]> {
  const { rows } = await sql.query<{ _vid: string; _valid_from: Date; _valid_to: Date | null }>(
    `SELECT _vid, _valid_from, _valid_to FROM inventory.${table} WHERE id = $1 AND _branch = $2 ORDER BY _vid`,
    [id, branch],
  );
  return rows.map((r) => ({ vid: Number(r._vid), from: r._valid_from, to: r._valid_to }));
}

describe('version history under concurrent writes', () => {
  for (const branch of [undefined, 'hist-branch']) {
    it(`orders versions by commit, one visible version per instant (${branch ?? 'main'})`, async () => {
      const id = await createSite(`burst-${branch ?? 'main'}`, branch);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => gql(`mutation($id: ID!, $d: String!) { site_update(id: $id, data: {description: $d}) { id } }`, { id, d: `v${i}` }, { branch })),
      );
      for (const r of results) expect(r.errors).toBeUndefined();
      const vs = await versions('dcim_site', id, branch ?? 'main');
      expect(vs).toHaveLength(31);
      // in commit (insert) order: contiguous, strictly increasing intervals, the last one open
      for (let i = 0; i < vs.length; i++) {
        const next = vs[i + 1];
        if (next) {
          expect(vs[i]!.to?.getTime()).toBe(next.from.getTime());
          expect(next.from.getTime()).toBeGreaterThan(vs[i]!.from.getTime());
        } else expect(vs[i]!.to).toBeNull();
      }
      // at every version boundary (and just around it) exactly one version is visible
      for (const v of vs) {
        for (const delta of [-1, 0, 1]) {
          const at = new Date(v.from.getTime() + delta);
          const r = await gql(`query($id: ID!) { site_list(filters: {id: {exact: $id}}) { total_count } }`, { id }, { branch, at: at.toISOString() });
          expect(r.errors).toBeUndefined();
          const expected = v === vs[0] && delta < 0 ? 0 : 1;
          expect({ at: at.toISOString(), n: r.data!.site_list.total_count }).toEqual({ at: at.toISOString(), n: expected });
        }
      }
      // the change events of the node are in version order, stamped with the version times
      const { rows } = await sql.query<{ payload: { time: string; action: string } }>(`SELECT payload FROM inventory.outbox WHERE payload->>'objectId' = $1 ORDER BY id`, [id]);
      expect(rows.map((r) => new Date(r.payload.time).getTime())).toEqual(vs.map((v) => v.from.getTime()));
    });
  }
});

describe('references never dangle', () => {
  const deviceOn = (site: string, name: string, branch?: string) =>
    gql(
      `mutation($s: ID!, $n: String!) { device_create(data: {name: $n, site: {id: $s}, device_type: {slug: "x1"}, role: {slug: "leaf"}}) { id } }`,
      { s: site, n: name },
      { branch },
    );

  async function danglingDevices(branch: string): Promise<unknown[]> {
    const { rows } = await sql.query(
      `SELECT d.id, d.site_id FROM inventory.dcim_device d
        WHERE d._branch = $1 AND d._valid_to IS NULL AND NOT d._deleted
          AND NOT EXISTS (SELECT 1 FROM inventory.dcim_site s WHERE s.id = d.site_id AND s._valid_to IS NULL AND NOT s._deleted AND s._branch IN ('main', $1))`,
      [branch],
    );
    return rows;
  }

  for (const branch of [undefined, 'ref-branch']) {
    it(`a site delete racing 10 device creates on it leaves no device without its site (${branch ?? 'main'})`, async () => {
      for (let round = 0; round < 4; round++) {
        const site = await createSite(`race-${branch ?? 'main'}-${round}`, branch);
        const [del, ...creates] = await Promise.all([
          sleep(round).then(() => gql(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: site }, { branch })),
          ...Array.from({ length: 10 }, (_, i) => deviceOn(site, `r${round}-d${i}`, branch)),
        ]);
        const made = creates.filter((c) => !c.errors).length;
        if (!del!.errors) {
          expect(made).toBe(0);
        } else {
          expect(del!.errors[0]!.extensions?.code).toBe('VALIDATION_ERROR');
          expect(made).toBeGreaterThan(0);
        }
        for (const c of creates) if (c.errors) expect(c.errors[0]!.extensions?.code).toBe('VALIDATION_ERROR');
      }
      expect(await danglingDevices(branch ?? 'main')).toEqual([]);
    });
  }

  it('a tag delete racing updates that add the tag leaves no dangling to-many reference', async () => {
    const sites = await Promise.all(Array.from({ length: 10 }, (_, i) => createSite(`tagged-${i}`)));
    for (let round = 0; round < 3; round++) {
      const t = await gql(`mutation($s: String!) { tag_create(data: {name: $s, slug: $s}) { id } }`, { s: `race-tag-${round}` });
      const tag = t.data!.tag_create.id as string;
      const results = await Promise.all([
        gql(`mutation($id: ID!) { tag_delete(id: $id) { ok } }`, { id: tag }),
        ...sites.map((s) => gql(`mutation($id: ID!, $t: ID!) { site_update(id: $id, data: {tags: [{id: $t}]}) { id } }`, { id: s, t: tag })),
      ]);
      expect(results[0]!.errors).toBeUndefined(); // deleting a tag unlinks it (as in NetBox)
    }
    const { rows } = await sql.query(
      `SELECT s.id, t FROM inventory.dcim_site s CROSS JOIN LATERAL unnest(s.tags_ids) t
        WHERE s._branch = 'main' AND s._valid_to IS NULL
          AND NOT EXISTS (SELECT 1 FROM inventory.extras_tag g WHERE g.id = t AND g._branch = 'main' AND g._valid_to IS NULL)`,
    );
    expect(rows).toEqual([]);
  });

  it('deleting an IP address clears primary_ip4 (a relation without an inverse)', async () => {
    const site = await createSite('ip-site');
    const dev = await deviceOn(site, 'ip-dev');
    const ip = await gql(`mutation { ip_address_create(data: {address: "10.9.9.9/24"}) { id } }`);
    const ipId = ip.data!.ip_address_create.id;
    const upd = await gql(`mutation($id: ID!, $ip: ID!) { device_update(id: $id, data: {primary_ip4: {id: $ip}}) { primary_ip4 { id } } }`, {
      id: dev.data!.device_create.id,
      ip: ipId,
    });
    expect(upd.data!.device_update.primary_ip4.id).toBe(ipId);
    const del = await gql(`mutation($id: ID!) { ip_address_delete(id: $id) { ok } }`, { id: ipId });
    expect(del.errors).toBeUndefined();
    const { rows } = await sql.query(`SELECT primary_ip4_id FROM inventory.dcim_device WHERE id = $1 AND _branch = 'main' AND _valid_to IS NULL`, [dev.data!.device_create.id]);
    expect(rows).toEqual([{ primary_ip4_id: null }]);
  });

  it('a merge does not bring a reference to a node deleted on main since the branch point', async () => {
    const site = await createSite('merge-gone');
    await sleep(5);
    branchFrom.set('dangling', new Date().toISOString());
    await sleep(5);
    const d = await deviceOn(site, 'on-branch', 'dangling');
    expect(d.errors).toBeUndefined();
    const del = await gql(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: site });
    expect(del.errors).toBeUndefined();
    const v = await participant<{ conflicts: { type: string; field: string }[] }>('validate', 'dangling');
    expect(v.conflicts).toEqual([expect.objectContaining({ type: 'REMOVED_ON_MAIN', field: 'site' })]);
    await expect(participant('merge', 'dangling')).rejects.toMatchObject({ status: 409 });
    await expect(participant('merge', 'dangling', { resolutions: [{ conflict_id: `${d.data!.device_create.id}/site`, selected: 'BRANCH' }] })).rejects.toMatchObject({
      status: 409,
    });
    expect(await danglingDevices('main')).toEqual([]);
  });
  it('a rebase does not leave the branch pointing at a node deleted on main', async () => {
    const site = await createSite('rebase-gone');
    await sleep(5);
    branchFrom.set('dangling-rebase', new Date().toISOString());
    await sleep(5);
    const d = await deviceOn(site, 'on-rebased-branch', 'dangling-rebase');
    expect(d.errors).toBeUndefined();
    expect((await gql(`mutation($id: ID!) { site_delete(id: $id) { ok } }`, { id: site })).errors).toBeUndefined();
    await expect(participant('rebase', 'dangling-rebase')).rejects.toMatchObject({ status: 409 });
    // nothing was rewritten: the branch still sees its device on the site as of its branch point
    const still = await gql(`query($id: ID!) { device(id: $id) { site { id } } }`, { id: d.data!.device_create.id }, { branch: 'dangling-rebase' });
    expect(still.data!.device.site.id).toBe(site);
  });
});

describe('uniqueness on branches', () => {
  it('20 concurrent creates of one slug on a branch make one node, and the branch still merges', async () => {
    branchFrom.set('uniq', new Date().toISOString());
    const results = await Promise.all(Array.from({ length: 20 }, () => gql(`mutation { site_create(data: {name: "Same", slug: "same-slug"}) { id } }`, {}, { branch: 'uniq' })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(r.errors![0]!.extensions?.code).toBe('UNIQUENESS_VIOLATION');
    const list = await gql(`{ site_list(filters: {slug: {exact: "same-slug"}}) { total_count } }`, {}, { branch: 'uniq' });
    expect(list.data!.site_list.total_count).toBe(1);
    const merged = await participant<{ merged: number }>('merge', 'uniq');
    expect(merged.merged).toBe(1);
  });

  it('a value freed by a concurrent rename on a branch is never held twice', async () => {
    const id = await createSite('free-me', 'uniq2');
    const [rename, create] = await Promise.all([
      gql(`mutation($id: ID!) { site_update(id: $id, data: {name: "renamed", slug: "renamed"}) { id } }`, { id }, { branch: 'uniq2' }),
      gql(`mutation { site_create(data: {name: "free-me", slug: "free-me"}) { id } }`, {}, { branch: 'uniq2' }),
    ]);
    expect(rename.errors).toBeUndefined();
    if (create.errors) expect(create.errors[0]!.extensions?.code).toBe('UNIQUENESS_VIOLATION');
    const list = await gql(`{ site_list(filters: {slug: {exact: "free-me"}}) { total_count } }`, {}, { branch: 'uniq2' });
    expect(list.data!.site_list.total_count).toBeLessThanOrEqual(1);
  });
});

describe('bounded locking', () => {
  it('a bulk create of 20,000 nodes with two unique sets stays within Postgres lock limits', async () => {
    const d = Array.from({ length: 20_000 }, (_, i) => ({ name: `bulk-${i}`, slug: `bulk-${i}` }));
    const r = await gql(`mutation($d: [TagCreateInput!]!) { tag_bulk_create(data: $d) { id } }`, { d });
    expect(r.errors).toBeUndefined();
    expect(r.data!.tag_bulk_create).toHaveLength(20_000);
  });
});

describe('lost updates', () => {
  it('if_last_updated: a stale precondition is CONFLICT and writes nothing', async () => {
    const c = await gql(`mutation { site_create(data: {name: "pre", slug: "pre"}) { id last_updated } }`);
    const { id, last_updated: first } = c.data!.site_create;
    const ok = await gql(`mutation($id: ID!, $t: DateTime) { site_update(id: $id, data: {description: "a"}, if_last_updated: $t) { last_updated } }`, { id, t: first });
    expect(ok.errors).toBeUndefined();
    const second = ok.data!.site_update.last_updated;
    expect(second).not.toBe(first);
    const before = (await versions('dcim_site', id, 'main')).length;
    const stale = await gql(`mutation($id: ID!, $t: DateTime) { site_update(id: $id, data: {description: "b"}, if_last_updated: $t) { id } }`, { id, t: first });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const staleUpsert = await gql(`mutation($t: DateTime) { site_upsert(data: {name: "pre", slug: "pre", description: "c"}, if_last_updated: $t) { id } }`, { t: first });
    expect(staleUpsert.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const staleDelete = await gql(`mutation($id: ID!, $t: DateTime) { site_delete(id: $id, if_last_updated: $t) { ok } }`, { id, t: first });
    expect(staleDelete.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await versions('dcim_site', id, 'main')).length).toBe(before);
    const now = await gql(`query($id: ID!) { site(id: $id) { description last_updated } }`, { id });
    expect(now.data!.site).toEqual({ description: 'a', last_updated: second });
    const fresh = await gql(`mutation($id: ID!, $t: DateTime) { site_delete(id: $id, if_last_updated: $t) { ok } }`, { id, t: second });
    expect(fresh.errors).toBeUndefined();
  });

  it('only one of many concurrent updates with the same precondition wins', async () => {
    const c = await gql(`mutation { site_create(data: {name: "cas", slug: "cas"}) { id last_updated } }`);
    const { id, last_updated } = c.data!.site_create;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        gql(`mutation($id: ID!, $t: DateTime, $d: String!) { site_update(id: $id, data: {description: $d}, if_last_updated: $t) { id } }`, { id, t: last_updated, d: `w${i}` }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(r.errors![0]!.extensions?.code).toBe('CONFLICT');
  });

  it('20 concurrent upserts of one key end in one create and updates, never a uniqueness error', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => gql(`mutation($d: String!) { site_upsert(data: {name: "Upserted", slug: "upserted", description: $d}) { id } }`, { d: `u${i}` })),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data!.site_upsert.id)).size).toBe(1);
    const id = results[0]!.data!.site_upsert.id;
    expect(await versions('dcim_site', id, 'main')).toHaveLength(20);
  });
});
