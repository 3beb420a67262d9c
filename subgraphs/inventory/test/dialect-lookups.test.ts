// The NetBox v2 dialect, lookup by lookup: strings, numbers, datetimes, booleans, ids, foreign
// keys, IP containment, logical operators, pagination edges and error codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let small: RunningInventory;
let t0 = '';
const raw = (q: string, v?: Record<string, unknown>) => callSubgraph(inv.url, 'inventory', q, v);
const gql = async (q: string, v?: Record<string, unknown>) => {
  const r = await raw(q, v);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
};
const names = async (filter: string) => ((await gql(`{ tenant_list(filters: ${filter}) { results { name } } }`)).tenant_list.results as { name: string }[]).map((r) => r.name);

beforeAll(async () => {
  db = await createTestDatabase('inv_dialect');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
  await gql(`mutation { tenant_bulk_create(data: [
    {name: "Alpha", slug: "alpha", comments: "50% off"},
    {name: "alphabet", slug: "alphabet", comments: "a_b"},
    {name: "Beta", slug: "beta"},
    {name: "Gamma", slug: "gamma", comments: "xyz"}]) { id } }`);
  await new Promise((r) => setTimeout(r, 20));
  t0 = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  await gql(`mutation { tenant_create(data: {name: "Delta", slug: "delta"}) { id } }`);
  await gql(`mutation { site_create(data: {name: "S", slug: "s"}) { id } }`);
  await gql(`mutation { vlan_bulk_create(data: [{vid: 10, name: "v10"}, {vid: 20, name: "v20"}, {vid: 30, name: "v30"}]) { id } }`);
  await gql(`mutation { prefix_bulk_create(data: [{prefix: "10.0.0.0/8"}, {prefix: "10.1.0.0/16"}, {prefix: "192.168.0.0/24"}]) { id } }`);
  small = await start(serviceEnv(db.url, { STRATA_MAX_PAGE_SIZE: '3' }), { publisher: { publish: async () => {} } });
});
afterAll(async () => {
  await small?.close();
  await inv?.close();
  await db?.drop();
});

describe('string lookups', () => {
  it.each([
    ['{name: {exact: "Alpha"}}', ['Alpha']],
    ['{name: {i_exact: "alpha"}}', ['Alpha']],
    ['{name: {contains: "lph"}}', ['Alpha', 'alphabet']],
    ['{name: {i_contains: "ALPH"}}', ['Alpha', 'alphabet']],
    ['{name: {starts_with: "al"}}', ['alphabet']],
    ['{name: {i_starts_with: "al"}}', ['Alpha', 'alphabet']],
    ['{name: {ends_with: "ta"}}', ['Beta', 'Delta']],
    ['{name: {i_ends_with: "TA"}}', ['Beta', 'Delta']],
    ['{name: {regex: "^[AB]"}}', ['Alpha', 'Beta']],
    ['{name: {i_regex: "^a"}}', ['Alpha', 'alphabet']],
    ['{name: {in_list: ["Beta", "Gamma", "nope"]}}', ['Beta', 'Gamma']],
    ['{comments: {contains: "%"}}', ['Alpha']],
    ['{comments: {contains: "_"}}', ['alphabet']],
    ['{comments: {exact: ""}}', ['Beta', 'Delta']],
  ])('%s', async (filter, expected) => {
    expect((await names(filter)).sort()).toEqual([...expected].sort());
  });
});

describe('numbers, datetimes, ids, logic', () => {
  it('number lookups', async () => {
    const vids = async (f: string) => ((await gql(`{ vlan_list(filters: ${f}) { results { vid } } }`)).vlan_list.results as { vid: number }[]).map((r) => r.vid).sort();
    expect(await vids('{vid: {exact: 20}}')).toEqual([20]);
    expect(await vids('{vid: {gt: 10}}')).toEqual([20, 30]);
    expect(await vids('{vid: {gte: 20}}')).toEqual([20, 30]);
    expect(await vids('{vid: {lt: 20}}')).toEqual([10]);
    expect(await vids('{vid: {lte: 20}}')).toEqual([10, 20]);
    expect(await vids('{vid: {range: {start: 15, end: 30}}}')).toEqual([20, 30]);
    expect(await vids('{vid: {in_list: [10, 30]}}')).toEqual([10, 30]);
    expect(await vids('{vid: {is_null: true}}')).toEqual([]);
  });

  it('datetime lookups on created/last_updated', async () => {
    expect((await names(`{created: {gt: "${t0}"}}`)).sort()).toEqual(['Delta']);
    expect((await names(`{last_updated: {lt: "${t0}"}}`)).sort()).toEqual(['Alpha', 'Beta', 'Gamma', 'alphabet']);
  });

  it('ids, booleans and foreign keys', async () => {
    const all = (await gql(`{ tenant_list { results { id name } } }`)).tenant_list.results as { id: string; name: string }[];
    const alpha = all.find((t) => t.name === 'Alpha')!.id;
    expect(await names(`{id: {exact: "${alpha}"}}`)).toEqual(['Alpha']);
    expect(await names(`{id: {in_list: ["${alpha}"]}}`)).toEqual(['Alpha']);
    const s = (await gql(`{ site_list { results { id } } }`)).site_list.results[0].id as string;
    await gql(`mutation { device_role_create(data: {name: "r", slug: "r"}) { id } } `);
    await gql(`mutation { manufacturer_create(data: {name: "m", slug: "m"}) { id } }`);
    await gql(`mutation { device_type_create(data: {manufacturer: {slug: "m"}, model: "x", slug: "x"}) { id } }`);
    await gql(`mutation { device_create(data: {name: "d", site: {slug: "s"}, role: {slug: "r"}, device_type: {slug: "x"}}) { id } }`);
    const d = await gql(`{ device_list(filters: {site_id: "${s}"}) { total_count } }`);
    expect(d.device_list.total_count).toBe(1);
    await gql(
      `mutation { interface_bulk_create(data: [{device: {name: "d", site: {slug: "s"}}, name: "e0", type: TYPE_VIRTUAL, enabled: false}, {device: {name: "d", site: {slug: "s"}}, name: "e1", type: TYPE_VIRTUAL}]) { id } }`,
    );
    const en = await gql(`{ interface_list(filters: {enabled: {exact: false}}) { results { name } } }`);
    expect(en.interface_list.results).toEqual([{ name: 'e0' }]);
  });

  it('IP containment', async () => {
    const p = async (f: string) => ((await gql(`{ prefix_list(filters: ${f}) { results { prefix } } }`)).prefix_list.results as { prefix: string }[]).map((r) => r.prefix).sort();
    expect(await p('{prefix: {net_contains: "10.1.2.3"}}')).toEqual(['10.0.0.0/8', '10.1.0.0/16']);
    expect(await p('{prefix: {net_contained: "10.0.0.0/8"}}')).toEqual(['10.1.0.0/16']);
    expect(await p('{prefix: {net_contained_or_equal: "10.0.0.0/8"}}')).toEqual(['10.0.0.0/8', '10.1.0.0/16']);
    expect(await p('{prefix: {net_contains_or_equals: "10.1.0.0/16"}}')).toEqual(['10.0.0.0/8', '10.1.0.0/16']);
  });

  it('AND, OR, NOT, DISTINCT', async () => {
    expect((await names('{name: {starts_with: "A"}, OR: {name: {exact: "Beta"}}}')).sort()).toEqual(['Alpha', 'Beta']);
    expect((await names('{name: {i_starts_with: "a"}, NOT: {name: {exact: "Alpha"}}}')).sort()).toEqual(['alphabet']);
    expect((await names('{AND: {name: {contains: "a"}}, NOT: {OR: {name: {exact: "Beta"}}, name: {exact: "Gamma"}}, DISTINCT: true}')).sort()).toEqual([
      'Alpha',
      'Delta',
      'alphabet',
    ]);
  });
});

describe('pagination and order', () => {
  it('handles offsets past the end, limit 0, negative values and the page size cap', async () => {
    const past = await gql(`{ tenant_list(pagination: {offset: 50}) { total_count results { name } } }`);
    expect(past.tenant_list).toEqual({ total_count: 5, results: [] });
    const zero = await gql(`{ tenant_list(pagination: {limit: 0}) { total_count page_info { limit } results { name } } }`);
    expect(zero.tenant_list).toEqual({ total_count: 5, page_info: { limit: 0 }, results: [] });
    const neg = await raw(`{ tenant_list(pagination: {offset: -1}) { total_count } }`);
    expect(neg.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const capped = await callSubgraph(small.url, 'inventory', `{ tenant_list(pagination: {limit: 100}) { page_info { limit } results { name } } }`);
    expect(capped.data!.tenant_list.page_info.limit).toBe(3);
    expect(capped.data!.tenant_list.results).toHaveLength(3);
  });

  it('orders by name by default, and by the given keys', async () => {
    expect(await names('{}')).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma', 'alphabet']);
    const desc = await gql(`{ tenant_list(order: {name: DESC}) { results { name } } }`);
    expect(desc.tenant_list.results.map((r: { name: string }) => r.name)).toEqual(['alphabet', 'Gamma', 'Delta', 'Beta', 'Alpha']);
    const multi = await gql(`{ vlan_list(order: {vid: DESC, name: ASC}, pagination: {limit: 2}) { results { vid } } }`);
    expect(multi.vlan_list.results).toEqual([{ vid: 30 }, { vid: 20 }]);
  });
});

describe('errors', () => {
  it('answers bad input with the documented codes and writes nothing', async () => {
    const before = (await gql(`{ prefix_list { total_count } }`)).prefix_list.total_count;
    const badIp = await raw(`mutation { ip_address_create(data: {address: "10.0.0.300/24"}) { id } }`);
    expect(badIp.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const hostBits = await raw(`mutation { prefix_create(data: {prefix: "10.0.0.1/24"}) { id } }`);
    expect(hostBits.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const wrongType = await raw(`mutation($d: SiteCreateInput!) { site_create(data: $d) { id } }`, { d: { name: 'W', slug: 'w', latitude: 'north' } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBeDefined();
    const tenant = (await gql(`{ tenant_list(pagination: {limit: 1}) { results { id } } }`)).tenant_list.results[0].id;
    const wrongPeer = await raw(`mutation($t: ID!) { device_create(data: {name: "x", site: {id: $t}, role: {slug: "r"}, device_type: {slug: "x"}}) { id } }`, { t: tenant });
    expect(wrongPeer.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    expect(wrongPeer.errors?.[0]?.message).toMatch(/must reference DcimSite/);
    const badRegex = await raw(`{ tenant_list(filters: {name: {regex: "("}}) { total_count } }`);
    expect(badRegex.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const dupInBatch = await raw(
      `mutation { interface_bulk_create(data: [{device: {name: "d", site: {slug: "s"}}, name: "x1", type: TYPE_VIRTUAL}, {device: {name: "d", site: {slug: "s"}}, name: "x1", type: TYPE_VIRTUAL}]) { id } }`,
    );
    expect(dupInBatch.errors?.[0]?.extensions?.code).toBe('UNIQUENESS_VIOLATION');
    expect((await gql(`{ prefix_list { total_count } }`)).prefix_list.total_count).toBe(before);
    expect((await gql(`{ interface_list(filters: {name: {exact: "x1"}}) { total_count } }`)).interface_list.total_count).toBe(0);
  });

  it('upserts on the unique constraint', async () => {
    const a = await gql(`mutation { tag_upsert(data: {name: "Up", slug: "up", color: "ff0000"}) { id color } }`);
    const b = await gql(`mutation { tag_upsert(data: {name: "Up", slug: "up", color: "00ff00"}) { id color } }`);
    expect(b.tag_upsert.id).toBe(a.tag_upsert.id);
    expect(b.tag_upsert.color).toBe('00ff00');
    expect((await gql(`{ tag_list(filters: {slug: {exact: "up"}}) { total_count } }`)).tag_list.total_count).toBe(1);
  });
});
