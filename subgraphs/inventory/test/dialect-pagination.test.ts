// NetBox v2 dialect, pagination and order (docs/api.md#queries): the default page of 100, offsets past
// the end, limit 0, the STRATA_MAX_PAGE_SIZE cap, negative values, exact total_count, stable
// default order (name, then id), `order:` with one and several keys, and nested lists with
// their own filters, order and pagination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, onlyError, startDialect, type DialectInstance } from './dialect-support.ts';

let t: DialectInstance;
let small: Awaited<ReturnType<DialectInstance['another']>>;
const TENANTS = Array.from({ length: 120 }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
/** devices as seeded: name, status, position, site, id */
type Dev = { name: string; status: string; position: number | null; site: string; id: string };
const devices: Dev[] = [];
const ids: Record<string, string> = {};

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const STATUS = (i: number) => (i <= 10 ? 'active' : i <= 20 ? 'planned' : 'offline');

beforeAll(async () => {
  t = await startDialect('inv_dpage');
  small = await t.another({ STRATA_MAX_PAGE_SIZE: '5' });
  const g = t.gql;
  // 120 tenants in one cheap bulk create (in reverse, so insertion order is not name order)
  await g(`mutation($d: [TenantCreateInput!]!) { tenant_bulk_create(data: $d) { id } }`, { d: [...TENANTS].reverse().map((name) => ({ name, slug: name })) });
  await g(`mutation { tag_bulk_create(data: [{name: "gamma", slug: "c"}, {name: "alpha", slug: "a"}, {name: "beta", slug: "b"}]) { id } }`);
  await g(`mutation { site_bulk_create(data: [{name: "s1", slug: "s1", tags: [{slug: "c"}, {slug: "a"}, {slug: "b"}]}, {name: "s2", slug: "s2"}]) { id } }`);
  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
  // dev-01..dev-25 over two sites (odd on s1), statuses by range, positions with gaps, plus two
  // unnamed devices on s1 (same empty name: ordered by id)
  const input = Array.from({ length: 25 }, (_, k) => {
    const i = k + 1;
    return {
      name: `dev-${String(i).padStart(2, '0')}`,
      status: STATUS(i),
      position: i % 4 === 0 ? null : i,
      site: i % 2 ? 's1' : 's2',
    };
  });
  input.push({ name: '', status: 'active', position: null, site: 's1' }, { name: '', status: 'active', position: null, site: 's1' });
  const created = await g(`mutation($d: [DeviceCreateInput!]!) { device_bulk_create(data: $d) { id } }`, {
    d: input.map((d) => ({
      ...(d.name ? { name: d.name } : {}),
      status: d.status,
      position: d.position,
      site: { slug: d.site },
      device_type: { slug: 'x1' },
      role: { slug: 'leaf' },
    })),
  });
  created.device_bulk_create.forEach((x: { id: string }, i: number) => {
    devices.push({ ...input[i]!, id: x.id });
  });
  for (const d of devices) if (d.name) ids[d.name] = d.id;
  // dev-01: eth0..eth7, even ones enabled; dev-02: eth0 only
  await g(`mutation($d: [InterfaceCreateInput!]!) { interface_bulk_create(data: $d) { id } }`, {
    d: [
      ...Array.from({ length: 8 }, (_, i) => ({ device: { id: ids['dev-01'] }, name: `eth${i}`, type: i < 4 ? 'TYPE_1000BASE_T' : 'TYPE_VIRTUAL', enabled: i % 2 === 0 })),
      { device: { id: ids['dev-02'] }, name: 'eth0', type: 'TYPE_1000BASE_T' },
    ],
  });
  await g(`mutation { vlan_bulk_create(data: [{vid: 30, name: "c"}, {vid: 10, name: "b"}, {vid: 10, name: "a", group: null}, {vid: 20, name: "a"}]) { id } }`);
});
afterAll(async () => {
  await t?.close();
});

describe('page size and offsets', () => {
  it('answers the seed pagination query', async () => {
    const r = await t.gql(`{device_list(pagination: {offset: 0, limit: 20}) {total_count page_info {offset limit} results {id name}}}`);
    const unnamed = devices.filter((d) => !d.name).sort(byId);
    const expected = [...unnamed, ...devices.filter((d) => d.name).slice(0, 18)].map((d) => ({ id: d.id, name: d.name }));
    expect(r).toEqual({ device_list: { total_count: 27, page_info: { offset: 0, limit: 20 }, results: expected } });
  });

  it('returns at most 100 rows without a limit, with an exact total_count', async () => {
    const r = await t.gql(`{ tenant_list { total_count page_info { offset limit } results { name } } }`);
    expect(r.tenant_list.total_count).toBe(120);
    expect(r.tenant_list.page_info).toEqual({ offset: 0, limit: 100 });
    expect(col(r, 'tenant_list')).toEqual(TENANTS.slice(0, 100));
  });

  it('serves the tail after an offset, and nothing past the end', async () => {
    const tail = await t.gql(`{ tenant_list(pagination: {offset: 110}) { total_count page_info { offset limit } results { name } } }`);
    expect(tail.tenant_list.total_count).toBe(120);
    expect(tail.tenant_list.page_info).toEqual({ offset: 110, limit: 100 });
    expect(col(tail, 'tenant_list')).toEqual(TENANTS.slice(110));
    for (const offset of [120, 500]) {
      const past = await t.gql(`query($o: Int) { tenant_list(pagination: {offset: $o, limit: 10}) { total_count page_info { offset limit } results { name } } }`, { o: offset });
      expect(past.tenant_list).toEqual({ total_count: 120, page_info: { offset, limit: 10 }, results: [] });
    }
  });

  it('answers limit 0 with no rows and the exact total_count', async () => {
    const r = await t.gql(`{ tenant_list(pagination: {limit: 0}) { total_count page_info { offset limit } results { name } } }`);
    expect(r.tenant_list).toEqual({ total_count: 120, page_info: { offset: 0, limit: 0 }, results: [] });
    const f = await t.gql(`{ tenant_list(filters: {name: {ends_with: "7"}}, pagination: {limit: 0}) { total_count results { name } } }`);
    expect(f.tenant_list).toEqual({ total_count: 12, results: [] });
  });

  it('accepts a limit above 100 up to STRATA_MAX_PAGE_SIZE (default 1000)', async () => {
    const r = await t.gql(`{ tenant_list(pagination: {limit: 1000}) { page_info { limit } results { name } } }`);
    expect(r.tenant_list.page_info).toEqual({ limit: 1000 });
    expect(col(r, 'tenant_list')).toEqual(TENANTS);
  });

  it('caps the limit at STRATA_MAX_PAGE_SIZE, also by default and in nested lists', async () => {
    const big = await small.gql(`{ tenant_list(pagination: {limit: 50}) { total_count page_info { offset limit } results { name } } }`);
    expect(big.tenant_list).toEqual({ total_count: 120, page_info: { offset: 0, limit: 5 }, results: TENANTS.slice(0, 5).map((name) => ({ name })) });
    const dflt = await small.gql(`{ tenant_list(pagination: {offset: 7}) { page_info { offset limit } results { name } } }`);
    expect(dflt.tenant_list).toEqual({ page_info: { offset: 7, limit: 5 }, results: TENANTS.slice(7, 12).map((name) => ({ name })) });
    const nested = await small.gql(`query($id: ID!) { device(id: $id) { interfaces(pagination: {limit: 50}) { name } } }`, { id: ids['dev-01'] });
    expect(nested.device.interfaces).toEqual(['eth0', 'eth1', 'eth2', 'eth3', 'eth4'].map((name) => ({ name })));
    const rev = await small.gql(`{ site_list(filters: {name: {exact: "s1"}}) { results { devices { name } } } }`);
    expect(rev.site_list.results[0].devices).toHaveLength(5);
  });

  it('refuses negative offsets and limits with BAD_USER_INPUT', async () => {
    for (const p of ['{offset: -1}', '{limit: -1}', '{offset: -5, limit: 10}']) {
      const r = await t.raw(`{ tenant_list(pagination: ${p}) { total_count results { name } } }`);
      expect(r.data).toBeNull();
      expect(onlyError(r)).toMatchObject({ code: 'BAD_USER_INPUT', path: ['tenant_list'] });
    }
    const nested = await t.raw(`query($id: ID!) { device(id: $id) { name interfaces(pagination: {limit: -1}) { name } } }`, { id: ids['dev-01'] });
    expect(nested.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const viaVars = await t.raw(`query($p: OffsetPaginationInput) { tenant_list(pagination: $p) { total_count } }`, { p: { offset: -1 } });
    expect(viaVars.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('walks all rows page by page without gaps or repeats', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 130; offset += 50) {
      const r = await t.gql(`query($o: Int) { tenant_list(pagination: {offset: $o, limit: 50}) { total_count results { name } } }`, { o: offset });
      expect(r.tenant_list.total_count).toBe(120);
      seen.push(...col<string>(r, 'tenant_list'));
    }
    expect(seen).toEqual(TENANTS);
  });
});

describe('order', () => {
  it('orders by name, then id, by default and repeatably', async () => {
    const q = `{ device_list(pagination: {limit: 100}) { results { id name } } }`;
    const first = (await t.gql(q)).device_list.results;
    const unnamed = devices.filter((d) => !d.name).sort(byId);
    expect(first.map((r: Dev) => r.id)).toEqual([...unnamed, ...devices.filter((d) => d.name)].map((d) => d.id));
    expect((await t.gql(q)).device_list.results).toEqual(first);
    // same name on several devices: by id
    const eth0 = await t.gql(`{ interface_list(filters: {name: {exact: "eth0"}}) { results { id device { name } } } }`);
    const idsInOrder = eth0.interface_list.results.map((r: { id: string }) => r.id);
    expect(idsInOrder).toHaveLength(2);
    expect(idsInOrder).toEqual([...idsInOrder].sort());
  });

  it('orders by one key descending (ties by id ascending)', async () => {
    const r = await t.gql(`{ device_list(order: {name: DESC}) { results { id name } } }`);
    const named = devices.filter((d) => d.name).reverse();
    const unnamed = devices.filter((d) => !d.name).sort(byId);
    expect(r.device_list.results).toEqual([...named, ...unnamed].map((d) => ({ id: d.id, name: d.name })));
  });

  it('orders by several keys (status, then position descending with nulls last, then id)', async () => {
    const r = await t.gql(`{ device_list(order: {status: ASC, position: DESC}) { results { id name status position } } }`);
    const rank = (s: string) => ['active', 'offline', 'planned'].indexOf(s);
    const expected = [...devices].sort(
      (a, b) => rank(a.status) - rank(b.status) || (a.position === null ? 1 : 0) - (b.position === null ? 1 : 0) || (b.position ?? 0) - (a.position ?? 0) || byId(a, b),
    );
    expect(r.device_list.results).toEqual(expected.map((d) => ({ id: d.id, name: d.name, status: d.status, position: d.position })));
  });

  it('orders numbers numerically and combines order, filters and pagination', async () => {
    const v = await t.gql(`{ vlan_list(order: {vid: DESC, name: ASC}) { results { vid name } } }`);
    expect(v.vlan_list.results).toEqual([
      { vid: 30, name: 'c' },
      { vid: 20, name: 'a' },
      { vid: 10, name: 'a' },
      { vid: 10, name: 'b' },
    ]);
    const r = await t.gql(
      `{ device_list(filters: {status: STATUS_PLANNED}, order: {name: DESC}, pagination: {offset: 2, limit: 3}) { total_count page_info { offset limit } results { name } } }`,
    );
    expect(r.device_list).toEqual({ total_count: 10, page_info: { offset: 2, limit: 3 }, results: [{ name: 'dev-18' }, { name: 'dev-17' }, { name: 'dev-16' }] });
    const byPos = await t.gql(`{ device_list(filters: {position: {lt: 4}}, order: {position: ASC}) { results { name position } } }`);
    expect(byPos.device_list.results).toEqual([
      { name: 'dev-01', position: 1 },
      { name: 'dev-02', position: 2 },
      { name: 'dev-03', position: 3 },
    ]);
  });

  it('orders by id and by created', async () => {
    const r = await t.gql(`{ tenant_list(order: {id: DESC}, pagination: {limit: 1000}) { results { id } } }`);
    const got = r.tenant_list.results.map((x: { id: string }) => x.id);
    expect(got).toEqual([...got].sort().reverse());
    const c = await t.gql(`{ tag_list(order: {created: ASC}) { results { slug } } }`);
    // one bulk create: same instant, then by id
    expect(c.tag_list.results).toHaveLength(3);
  });
});

describe('nested lists', () => {
  it('paginates and orders a reverse relation (device.interfaces)', async () => {
    const q = `query($id: ID!) { device(id: $id) {
      all: interfaces { name }
      page: interfaces(pagination: {offset: 1, limit: 2}, order: {name: DESC}) { name }
      enabled: interfaces(filters: {enabled: {exact: true}}, order: {name: DESC}, pagination: {limit: 3}) { name }
      virtual: interfaces(filters: {type: TYPE_VIRTUAL, enabled: {exact: false}}) { name }
      none: interfaces(pagination: {offset: 100}) { name }
      zero: interfaces(pagination: {limit: 0}) { name }
    } }`;
    const r = await t.gql(q, { id: ids['dev-01'] });
    const n = (xs: string[]) => xs.map((name) => ({ name }));
    expect(r.device).toEqual({
      all: n(['eth0', 'eth1', 'eth2', 'eth3', 'eth4', 'eth5', 'eth6', 'eth7']),
      page: n(['eth6', 'eth5']),
      enabled: n(['eth6', 'eth4', 'eth2']),
      virtual: n(['eth5', 'eth7']),
      none: [],
      zero: [],
    });
  });

  it('paginates per parent, not across parents', async () => {
    const r = await t.gql(
      `{ device_list(filters: {name: {in_list: ["dev-01", "dev-02", "dev-03"]}}) { results { name interfaces(order: {name: DESC}, pagination: {limit: 1}) { name } } } }`,
    );
    expect(r.device_list.results).toEqual([
      { name: 'dev-01', interfaces: [{ name: 'eth7' }] },
      { name: 'dev-02', interfaces: [{ name: 'eth0' }] },
      { name: 'dev-03', interfaces: [] },
    ]);
  });

  it('filters a reverse relation on every parent (site.devices)', async () => {
    const r = await t.gql(`{ site_list { results { name
      offline: devices(filters: {status: STATUS_OFFLINE}) { name }
      top: devices(filters: {name: {starts_with: "dev-"}}, order: {name: DESC}, pagination: {limit: 2}) { name }
      unnamed: devices(filters: {name: {exact: ""}}) { id }
    } } }`);
    const unnamed = devices
      .filter((d) => !d.name)
      .sort(byId)
      .map((d) => ({ id: d.id }));
    expect(r.site_list.results).toEqual([
      { name: 's1', offline: [{ name: 'dev-21' }, { name: 'dev-23' }, { name: 'dev-25' }], top: [{ name: 'dev-25' }, { name: 'dev-23' }], unnamed },
      { name: 's2', offline: [{ name: 'dev-22' }, { name: 'dev-24' }], top: [{ name: 'dev-24' }, { name: 'dev-22' }], unnamed: [] },
    ]);
  });

  it('filters, orders and paginates a to-many relation (site.tags)', async () => {
    const r = await t.gql(`{ site_list(filters: {name: {exact: "s1"}}) { results {
      desc: tags(order: {name: DESC}, pagination: {limit: 2}) { name }
      some: tags(filters: {slug: {in_list: ["a", "c"]}}) { slug }
      skip: tags(order: {slug: ASC}, pagination: {offset: 1}) { slug }
    } } }`);
    expect(r.site_list.results[0]).toEqual({
      desc: [{ name: 'gamma' }, { name: 'beta' }],
      some: [{ slug: 'a' }, { slug: 'c' }],
      skip: [{ slug: 'b' }, { slug: 'c' }],
    });
  });

  it('lists a to-many relation in the default order (name, then id) when no order is given', async () => {
    // the tags were attached as [c (gamma), a (alpha), b (beta)]
    const r = await t.gql(`{ site_list(filters: {name: {exact: "s1"}}) { results { tags { name } page: tags(pagination: {offset: 1, limit: 1}) { name } } } }`);
    expect(r.site_list.results[0]).toEqual({ tags: [{ name: 'alpha' }, { name: 'beta' }, { name: 'gamma' }], page: [{ name: 'beta' }] });
  });
});
