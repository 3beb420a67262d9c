// NetBox v2 dialect, filters (docs/api.md#queries): every lookup of every family with exact expected
// results, literal LIKE wildcards, ids and foreign-key scalars, IP containment, enums in both
// forms, AND/OR/NOT/DISTINCT with NetBox (strawberry-django) semantics, and related/reverse filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, onlyError, sleep, sorted, startDialect, type DialectInstance } from './dialect-support.ts';

let t: DialectInstance;
const ids: Record<string, string> = {};
/** created/last_updated instants read back from the service */
const at: Record<string, string> = {};

const list = async (field: string, filter: string, pick = 'name') => sorted(col(await t.gql(`{ ${field}(filters: ${filter}) { total_count results { ${pick} } } }`), field, pick));
const tenants = (f: string) => list('tenant_list', f);
const sites = (f: string) => list('site_list', f);

beforeAll(async () => {
  t = await startDialect('inv_dfilt');
  const g = t.gql;
  await g(`mutation { tag_bulk_create(data: [{name: "Red", slug: "red"}, {name: "Blue", slug: "blue"}, {name: "Green", slug: "green"}]) { id } }`);
  // Tenant names exercise the string lookups, including text with LIKE wildcards and a backslash.
  const tn = await g(`mutation($d: [TenantCreateInput!]!) { tenant_bulk_create(data: $d) { id name } }`, {
    d: ['Foo', 'Bar', 'foobar', 'BARN', '50% off', '50 pct', 'a_b', 'axb', 'back\\slash'].map((name, i) => ({ name, slug: `t${i}` })),
  });
  for (const x of tn.tenant_bulk_create) ids[`tenant:${x.name}`] = x.id;
  const st = await g(`mutation { site_bulk_create(data: [
    {name: "ams1", slug: "ams1", status: STATUS_ACTIVE, tenant: {name: "Foo"}, tags: [{slug: "red"}, {slug: "blue"}], latitude: 52.3},
    {name: "ams2", slug: "ams2", status: STATUS_PLANNED, tenant: {slug: "t1"}, tags: [{slug: "blue"}]},
    {name: "fra1", slug: "fra1", status: STATUS_PLANNED, tenant: {name: "Foo"}},
    {name: "lon1", slug: "lon1", status: STATUS_RETIRED, tags: [{slug: "red"}]},
    {name: "nyc1", slug: "nyc1", status: STATUS_ACTIVE, tags: [{slug: "green"}]}]) { id name } }`);
  for (const x of st.site_bulk_create) ids[`site:${x.name}`] = x.id;

  await g(`mutation { rack_bulk_create(data: [
    {name: "r10", site: {slug: "ams1"}, u_height: 10},
    {name: "r24", site: {slug: "ams1"}, u_height: 24},
    {name: "r42", site: {slug: "ams1"}},
    {name: "r48", site: {slug: "ams1"}, u_height: 48, outer_width: 600}]) { id } }`);

  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
  const dv = await g(`mutation { device_bulk_create(data: [
    {name: "d1", site: {slug: "ams1"}, device_type: {slug: "x1"}, role: {slug: "leaf"}, position: 1, face: FACE_FRONT},
    {name: "d2", site: {slug: "ams2"}, device_type: {slug: "x1"}, role: {slug: "leaf"}, position: 2.5, status: STATUS_PLANNED},
    {name: "d3", site: {slug: "fra1"}, device_type: {slug: "x1"}, role: {slug: "leaf"}, position: 10, status: STATUS_PLANNED},
    {name: "d4", site: {slug: "nyc1"}, device_type: {slug: "x1"}, role: {slug: "leaf"}, status: STATUS_OFFLINE}]) { id name } }`);
  for (const x of dv.device_bulk_create) ids[`device:${x.name}`] = x.id;
  const d1 = `{name: "d1", site: {slug: "ams1"}}`;
  await g(`mutation { interface_bulk_create(data: [
    {device: ${d1}, name: "eth0", type: TYPE_1000BASE_T},
    {device: ${d1}, name: "eth1", type: TYPE_1000BASE_T, enabled: false, mtu: 9000},
    {device: ${d1}, name: "xe0", type: TYPE_10GBASE_X_SFPP, mac_address: "AA:BB:CC:00:00:01"},
    {device: ${d1}, name: "lo0", type: TYPE_VIRTUAL, mgmt_only: true},
    {device: {name: "d2", site: {slug: "ams2"}}, name: "eth0", type: TYPE_1000BASE_T}]) { id } }`);

  await g(
    `mutation { prefix_bulk_create(data: [{prefix: "10.0.0.0/8"}, {prefix: "10.1.0.0/16"}, {prefix: "10.1.2.0/24"}, {prefix: "192.168.0.0/16"}, {prefix: "2001:db8::/32"}]) { id } }`,
  );
  await g(
    `mutation { ip_address_bulk_create(data: [{address: "10.1.2.3/24"}, {address: "10.1.2.4/24"}, {address: "10.2.0.1/16"}, {address: "192.168.1.1/24"}, {address: "2001:db8::1/64"}]) { id } }`,
  );

  await g(`mutation { provider_create(data: {name: "P", slug: "p"}) { id } }`);
  await g(`mutation { circuit_type_create(data: {name: "T", slug: "t"}) { id } }`);
  await g(`mutation { circuit_bulk_create(data: [
    {cid: "C1", provider: {slug: "p"}, type: {slug: "t"}, install_date: "2024-01-15", commit_rate: 1000, description: "primary uplink"},
    {cid: "C2", provider: {slug: "p"}, type: {slug: "t"}, install_date: "2024-06-01", commit_rate: 10000},
    {cid: "C3", provider: {slug: "p"}, type: {slug: "t"}}]) { id } }`);

  // Three instants for the datetime lookups: g1+g2 created together, g3 later, then g1 updated.
  const a = await g(`mutation { tenant_group_bulk_create(data: [{name: "g1", slug: "g1"}, {name: "g2", slug: "g2"}]) { id created } }`);
  ids['group:g1'] = a.tenant_group_bulk_create[0].id;
  at.t1 = a.tenant_group_bulk_create[0].created;
  await sleep(30);
  at.t2 = (await g(`mutation { tenant_group_create(data: {name: "g3", slug: "g3"}) { created } }`)).tenant_group_create.created;
  await sleep(30);
  at.t3 = (await g(`mutation($id: ID!) { tenant_group_update(id: $id, data: {comments: "changed"}) { last_updated } }`, { id: ids['group:g1'] })).tenant_group_update.last_updated;
});
afterAll(async () => {
  await t?.close();
});

describe('string lookups (Tenant.name)', () => {
  const ALL = ['50 pct', '50% off', 'BARN', 'Bar', 'Foo', 'a_b', 'axb', 'back\\slash', 'foobar'];
  it.each<[string, string[]]>([
    ['{name: {exact: "Foo"}}', ['Foo']],
    ['{name: {exact: "foo"}}', []],
    ['{name: {i_exact: "foo"}}', ['Foo']],
    ['{name: {i_exact: "BAR"}}', ['Bar']],
    ['{name: {contains: "oo"}}', ['Foo', 'foobar']],
    ['{name: {contains: "OO"}}', []],
    ['{name: {i_contains: "AR"}}', ['BARN', 'Bar', 'foobar']],
    ['{name: {starts_with: "foo"}}', ['foobar']],
    ['{name: {starts_with: "Foo"}}', ['Foo']],
    ['{name: {i_starts_with: "foo"}}', ['Foo', 'foobar']],
    ['{name: {ends_with: "ar"}}', ['Bar', 'foobar']],
    ['{name: {ends_with: "AR"}}', []],
    ['{name: {i_ends_with: "AR"}}', ['Bar', 'foobar']],
    ['{name: {regex: "^[A-Z][a-z]+$"}}', ['Bar', 'Foo']],
    ['{name: {regex: "^bar"}}', []],
    ['{name: {i_regex: "^bar"}}', ['BARN', 'Bar']],
    ['{name: {i_regex: "B.R"}}', ['BARN', 'Bar', 'foobar']],
    ['{name: {in_list: ["Foo", "Bar", "nope"]}}', ['Bar', 'Foo']],
    ['{name: {in_list: []}}', []],
    ['{name: {is_null: true}}', []],
    ['{name: {is_null: false}}', ALL],
    ['{name: {n_exact: "Foo"}}', ALL.filter((n) => n !== 'Foo')],
    // several lookups in one object are ANDed
    ['{name: {i_starts_with: "f", i_ends_with: "o"}}', ['Foo']],
    ['{name: {contains: "a", starts_with: "B"}}', ['Bar']],
  ])('%s', async (filter, expected) => {
    expect(await tenants(filter)).toEqual(sorted(expected));
  });

  it('matches LIKE wildcards and backslashes in user text literally', async () => {
    const viaVars = async (lookup: Record<string, string>) =>
      sorted(col(await t.gql(`query($f: TenantFilter) { tenant_list(filters: $f) { results { name } } }`, { f: { name: lookup } }), 'tenant_list'));
    expect(await viaVars({ contains: '%' })).toEqual(['50% off']);
    expect(await viaVars({ i_contains: '0%' })).toEqual(['50% off']);
    expect(await viaVars({ starts_with: '50%' })).toEqual(['50% off']);
    expect(await viaVars({ contains: '_' })).toEqual(['a_b']);
    expect(await viaVars({ contains: 'a_b' })).toEqual(['a_b']);
    expect(await viaVars({ i_ends_with: '_B' })).toEqual(['a_b']);
    expect(await viaVars({ i_starts_with: 'A_' })).toEqual(['a_b']);
    expect(await viaVars({ contains: '\\' })).toEqual(['back\\slash']);
    expect(await viaVars({ contains: 'k\\s' })).toEqual(['back\\slash']);
    expect(await viaVars({ exact: 'back\\slash' })).toEqual(['back\\slash']);
    // exact/i_exact never treat % or _ as patterns
    expect(await viaVars({ i_exact: '50%' })).toEqual([]);
    expect(await viaVars({ i_exact: 'A_B' })).toEqual(['a_b']);
    expect(await viaVars({ exact: 'a%' })).toEqual([]);
    expect(await viaVars({ ends_with: '%' })).toEqual([]);
  });
});

describe('number lookups', () => {
  it.each<[string, string[]]>([
    ['{u_height: {exact: 42}}', ['r42']],
    ['{u_height: {gt: 24}}', ['r42', 'r48']],
    ['{u_height: {gte: 24}}', ['r24', 'r42', 'r48']],
    ['{u_height: {lt: 24}}', ['r10']],
    ['{u_height: {lte: 24}}', ['r10', 'r24']],
    ['{u_height: {range: {start: 11, end: 42}}}', ['r24', 'r42']],
    ['{u_height: {range: {start: 24}}}', ['r24', 'r42', 'r48']],
    ['{u_height: {range: {end: 24}}}', ['r10', 'r24']],
    ['{u_height: {in_list: [10, 48, 99]}}', ['r10', 'r48']],
    ['{u_height: {is_null: true}}', []],
    ['{u_height: {is_null: false}}', ['r10', 'r24', 'r42', 'r48']],
    ['{u_height: {gt: 10, lt: 48}}', ['r24', 'r42']],
    ['{outer_width: {is_null: true}}', ['r10', 'r24', 'r42']],
    ['{outer_width: {exact: 600}}', ['r48']],
  ])('Rack %s', async (filter, expected) => {
    expect(await list('rack_list', filter)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['{position: {exact: 2.5}}', ['d2']],
    ['{position: {gt: 1}}', ['d2', 'd3']],
    ['{position: {gte: 2.5}}', ['d2', 'd3']],
    ['{position: {lt: 2.5}}', ['d1']],
    ['{position: {lte: 2.5}}', ['d1', 'd2']],
    ['{position: {range: {start: 1.5, end: 10}}}', ['d2', 'd3']],
    ['{position: {in_list: [1, 10]}}', ['d1', 'd3']],
    ['{position: {is_null: true}}', ['d4']],
    ['{position: {is_null: false}}', ['d1', 'd2', 'd3']],
  ])('Device (Float) %s', async (filter, expected) => {
    expect(await list('device_list', filter)).toEqual(expected);
  });

  it('Site latitude (Float) and Interface mtu (Int, nullable)', async () => {
    expect(await sites('{latitude: {gt: 50}}')).toEqual(['ams1']);
    expect(await sites('{latitude: {is_null: true}}')).toEqual(['ams2', 'fra1', 'lon1', 'nyc1']);
    expect(await list('interface_list', '{mtu: {gte: 1500}}')).toEqual(['eth1']);
  });
});

describe('datetime lookups on created / last_updated', () => {
  const groups = (f: string) => list('tenant_group_list', f);
  it('reads back distinct instants', () => {
    expect(at.t1! < at.t2! && at.t2! < at.t3!).toBe(true);
  });
  it.each<[string, (a: typeof at) => string, string[]]>([
    ['created exact', (a) => `{created: {exact: "${a.t1}"}}`, ['g1', 'g2']],
    ['created gt', (a) => `{created: {gt: "${a.t1}"}}`, ['g3']],
    ['created gte', (a) => `{created: {gte: "${a.t1}"}}`, ['g1', 'g2', 'g3']],
    ['created lt', (a) => `{created: {lt: "${a.t2}"}}`, ['g1', 'g2']],
    ['created lte', (a) => `{created: {lte: "${a.t2}"}}`, ['g1', 'g2', 'g3']],
    ['created range', (a) => `{created: {range: {start: "${a.t1}", end: "${a.t2}"}}}`, ['g1', 'g2', 'g3']],
    ['created range (start only)', (a) => `{created: {range: {start: "${a.t2}"}}}`, ['g3']],
    ['created in_list', (a) => `{created: {in_list: ["${a.t2}", "2001-01-01T00:00:00Z"]}}`, ['g3']],
    ['created is_null', () => `{created: {is_null: true}}`, []],
    ['created is_null false', () => `{created: {is_null: false}}`, ['g1', 'g2', 'g3']],
    ['last_updated exact', (a) => `{last_updated: {exact: "${a.t3}"}}`, ['g1']],
    ['last_updated gt', (a) => `{last_updated: {gt: "${a.t2}"}}`, ['g1']],
    ['last_updated lt', (a) => `{last_updated: {lt: "${a.t3}"}}`, ['g2', 'g3']],
    ['last_updated lte', (a) => `{last_updated: {lte: "${a.t3}"}}`, ['g1', 'g2', 'g3']],
    ['last_updated range', (a) => `{last_updated: {range: {start: "${a.t1}", end: "${a.t2}"}}}`, ['g2', 'g3']],
  ])('%s', async (_name, filter, expected) => {
    expect(await groups(filter(at))).toEqual(expected);
  });

  it('compares instants, not strings (offsets allowed)', async () => {
    const d = new Date(at.t1!);
    const plus2 = new Date(d.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await groups(`{created: {exact: "${plus2}"}}`)).toEqual(['g1', 'g2']);
  });
});

describe('date lookups (Circuit.install_date) and built-in attributes', () => {
  it.each<[string, string[]]>([
    ['{install_date: {exact: "2024-01-15"}}', ['C1']],
    ['{install_date: {gt: "2024-01-15"}}', ['C2']],
    ['{install_date: {gte: "2024-01-15"}}', ['C1', 'C2']],
    ['{install_date: {lt: "2024-06-01"}}', ['C1']],
    ['{install_date: {lte: "2024-06-01"}}', ['C1', 'C2']],
    ['{install_date: {range: {start: "2024-01-16", end: "2024-12-31"}}}', ['C2']],
    ['{install_date: {in_list: ["2024-06-01", "1999-01-01"]}}', ['C2']],
    ['{install_date: {is_null: true}}', ['C3']],
    ['{commit_rate: {gte: 1000, lt: 10000}}', ['C1']],
    ['{description: {i_contains: "UPLINK"}}', ['C1']],
    ['{description: {exact: ""}}', ['C2', 'C3']],
  ])('Circuit %s', async (filter, expected) => {
    expect(await list('circuit_list', filter, 'cid')).toEqual(expected);
  });

  it('a malformed date is BAD_USER_INPUT (no Postgres specials like "yesterday")', async () => {
    for (const lookup of [
      '{gt: "yesterday"}',
      '{exact: "2024-13-45"}',
      '{in_list: ["2024-01-15", "epoch"]}',
      '{range: {start: "2024-01-01", end: "infinity"}}',
      '{lt: "15/01/2024"}',
    ]) {
      const r = await t.raw(`{ circuit_list(filters: {install_date: ${lookup}}) { results { cid } } }`);
      expect(onlyError(r).code, lookup).toBe('BAD_USER_INPUT');
    }
  });
});

describe('booleans, ids, foreign-key scalars', () => {
  it.each<[string, string[]]>([
    ['{enabled: {exact: true}}', ['eth0', 'eth0', 'lo0', 'xe0']],
    ['{enabled: {exact: false}}', ['eth1']],
    ['{enabled: {is_null: true}}', []],
    ['{enabled: {is_null: false}}', ['eth0', 'eth0', 'eth1', 'lo0', 'xe0']],
    ['{mgmt_only: {exact: true}}', ['lo0']],
    ['{enabled: {exact: true}, mgmt_only: {exact: false}}', ['eth0', 'eth0', 'xe0']],
  ])('Interface %s', async (filter, expected) => {
    expect(await list('interface_list', filter)).toEqual(expected);
  });

  it('id exact / in_list / is_null', async () => {
    expect(await sites(`{id: {exact: "${ids['site:fra1']}"}}`)).toEqual(['fra1']);
    expect(await sites(`{id: {in_list: ["${ids['site:fra1']}", "${ids['site:lon1']}", "00000000-0000-4000-8000-000000000000"]}}`)).toEqual(['fra1', 'lon1']);
    expect(await sites(`{id: {exact: "00000000-0000-4000-8000-000000000000"}}`)).toEqual([]);
    expect(await sites(`{id: {is_null: false}}`)).toEqual(['ams1', 'ams2', 'fra1', 'lon1', 'nyc1']);
    // an id of another kind matches nothing
    expect(await sites(`{id: {exact: "${ids['device:d1']}"}}`)).toEqual([]);
  });

  it('foreign-key scalars (site_id, tenant_id, device_id)', async () => {
    expect(await list('device_list', `{site_id: "${ids['site:ams2']}"}`)).toEqual(['d2']);
    expect(await list('interface_list', `{device_id: "${ids['device:d2']}"}`)).toEqual(['eth0']);
    expect(await sites(`{tenant_id: "${ids['tenant:Foo']}"}`)).toEqual(['ams1', 'fra1']);
    expect(await sites(`{tenant_id: null}`)).toEqual(['lon1', 'nyc1']);
    expect(await list('device_list', `{site_id: "00000000-0000-4000-8000-000000000000"}`)).toEqual([]);
    const v = await t.gql(`query($s: ID) { device_list(filters: {site_id: $s}) { results { name } } }`, { s: ids['site:fra1'] });
    expect(col(v, 'device_list')).toEqual(['d3']);
  });

  it('MAC addresses filter as text, and are null when unset', async () => {
    expect(await list('interface_list', '{mac_address: {i_contains: "AA:BB"}}')).toEqual(['xe0']);
    expect(await list('interface_list', '{mac_address: {exact: "aa:bb:cc:00:00:01"}}')).toEqual(['xe0']);
    expect(await list('interface_list', '{mac_address: {is_null: true}}')).toEqual(['eth0', 'eth0', 'eth1', 'lo0']);
  });
});

describe('IP containment', () => {
  const prefixes = (f: string) => list('prefix_list', f, 'prefix');
  const addresses = (f: string) => list('ip_address_list', f, 'address');
  it.each<[string, string[]]>([
    ['{prefix: {net_contains: "10.1.2.3"}}', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']],
    ['{prefix: {net_contains: "10.1.0.0/16"}}', ['10.0.0.0/8']],
    ['{prefix: {net_contains_or_equals: "10.1.0.0/16"}}', ['10.0.0.0/8', '10.1.0.0/16']],
    ['{prefix: {net_contained: "10.0.0.0/8"}}', ['10.1.0.0/16', '10.1.2.0/24']],
    ['{prefix: {net_contained_or_equal: "10.1.0.0/16"}}', ['10.1.0.0/16', '10.1.2.0/24']],
    ['{prefix: {net_contained_or_equal: "0.0.0.0/0"}}', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16']],
    ['{prefix: {net_contains: "2001:db8::42"}}', ['2001:db8::/32']],
    ['{prefix: {net_contains: "172.16.0.1"}}', []],
    ['{prefix: {exact: "10.1.0.0/16"}}', ['10.1.0.0/16']],
    ['{prefix: {in_list: ["10.1.0.0/16", "192.168.0.0/16"]}}', ['10.1.0.0/16', '192.168.0.0/16']],
    ['{prefix: {family: 6}}', ['2001:db8::/32']],
    ['{prefix: {family: 4, net_contained: "10.0.0.0/8"}}', ['10.1.0.0/16', '10.1.2.0/24']],
  ])('Prefix %s', async (filter, expected) => {
    expect(await prefixes(filter)).toEqual(sorted(expected));
  });

  it.each<[string, string[]]>([
    ['{address: {net_contained_or_equal: "10.1.0.0/16"}}', ['10.1.2.3/24', '10.1.2.4/24']],
    ['{address: {net_contained_or_equal: "10.0.0.0/8"}}', ['10.1.2.3/24', '10.1.2.4/24', '10.2.0.1/16']],
    ['{address: {net_contained_or_equal: "10.1.2.0/24"}}', ['10.1.2.3/24', '10.1.2.4/24']],
    ['{address: {net_contained_or_equal: "2001:db8::/32"}}', ['2001:db8::1/64']],
    ['{address: {exact: "10.1.2.3/24"}}', ['10.1.2.3/24']],
    ['{address: {family: 4, net_contained_or_equal: "192.168.0.0/16"}}', ['192.168.1.1/24']],
  ])('IPAddress %s', async (filter, expected) => {
    expect(await addresses(filter)).toEqual(sorted(expected));
  });

  it('a malformed address in a filter is BAD_USER_INPUT', async () => {
    const r = await t.raw(`{ prefix_list(filters: {prefix: {net_contains: "10.0.0.300"}}) { total_count results { prefix } } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('enum filters', () => {
  it.each<[string, string[]]>([
    ['{status: STATUS_ACTIVE}', ['ams1', 'nyc1']],
    ['{status: {exact: STATUS_PLANNED}}', ['ams2', 'fra1']],
    ['{status: {in_list: [STATUS_PLANNED, STATUS_RETIRED]}}', ['ams2', 'fra1', 'lon1']],
    ['{status: {in_list: []}}', []],
    ['{status: "planned"}', ['ams2', 'fra1']],
    ['{status: {exact: "retired"}}', ['lon1']],
    ['{status: {is_null: true}}', []],
    ['{status: STATUS_STAGING}', []],
  ])('Site %s', async (filter, expected) => {
    expect(await sites(filter)).toEqual(expected);
  });

  it('accepts both forms through variables too', async () => {
    const q = `query($f: SiteFilter) { site_list(filters: $f) { results { name } } }`;
    expect(col(await t.gql(q, { f: { status: 'STATUS_RETIRED' } }), 'site_list')).toEqual(['lon1']);
    expect(col(await t.gql(q, { f: { status: { exact: 'STATUS_RETIRED' } } }), 'site_list')).toEqual(['lon1']);
    expect(sorted(col(await t.gql(q, { f: { status: { in_list: ['STATUS_ACTIVE', 'retired'] } } }), 'site_list'))).toEqual(['ams1', 'lon1', 'nyc1']);
  });

  it('enum values with digits and dashes (TYPE_1000BASE_T) and optional enums (is_null)', async () => {
    const r = await t.gql(`{ interface_list(filters: {type: TYPE_1000BASE_T}) { results { name type } } }`);
    expect(r.interface_list.results).toEqual([
      { name: 'eth0', type: '1000base-t' },
      { name: 'eth0', type: '1000base-t' },
      { name: 'eth1', type: '1000base-t' },
    ]);
    expect(await list('interface_list', '{type: {in_list: [TYPE_10GBASE_X_SFPP, TYPE_VIRTUAL]}}')).toEqual(['lo0', 'xe0']);
    expect(await list('device_list', '{face: {is_null: true}}')).toEqual(['d2', 'd3', 'd4']);
    expect(await list('device_list', '{face: FACE_FRONT}')).toEqual(['d1']);
  });

  it('refuses an unknown enum value with BAD_USER_INPUT', async () => {
    const r = await t.raw(`{ site_list(filters: {status: STATUS_BOGUS}) { results { name } } }`);
    expect(onlyError(r).code).toBe('BAD_USER_INPUT');
    const r2 = await t.raw(`{ site_list(filters: {status: {in_list: [STATUS_ACTIVE, "nope"]}}) { results { name } } }`);
    expect(r2.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('AND / OR / NOT / DISTINCT', () => {
  it('answers the seed example: (status planned) OR (tenant Foo)', async () => {
    const r = await t.gql(`{site_list(filters:{status: STATUS_PLANNED, OR: {tenant: {name: {exact: "Foo"}}}}) {results {name}}}`);
    expect(r).toEqual({ site_list: { results: [{ name: 'ams1' }, { name: 'ams2' }, { name: 'fra1' }] } });
  });

  it.each<[string, string, string[]]>([
    ['AND', '{AND: {status: STATUS_ACTIVE}, tenant: {name: {exact: "Foo"}}}', ['ams1']],
    ['AND nested twice', '{AND: {AND: {status: STATUS_PLANNED}, name: {starts_with: "fra"}}}', ['fra1']],
    ['NOT', '{NOT: {status: STATUS_ACTIVE}}', ['ams2', 'fra1', 'lon1']],
    ['NOT ANDs in not-X', '{status: STATUS_PLANNED, NOT: {tenant: {name: {exact: "Foo"}}}}', ['ams2']],
    ['NOT over a relation keeps rows without a peer', '{NOT: {tenant: {name: {exact: "Foo"}}}}', ['ams2', 'lon1', 'nyc1']],
    ['NOT NOT', '{NOT: {NOT: {status: STATUS_ACTIVE}}}', ['ams1', 'nyc1']],
    ['NOT of an OR', '{NOT: {status: STATUS_ACTIVE, OR: {status: STATUS_PLANNED}}}', ['lon1']],
    ['OR is applied last: (others AND NOT) OR X', '{status: STATUS_ACTIVE, NOT: {name: {exact: "nyc1"}}, OR: {name: {exact: "lon1"}}}', ['ams1', 'lon1']],
    ['OR chain', '{name: {exact: "ams1"}, OR: {name: {exact: "ams2"}, OR: {name: {exact: "fra1"}}}}', ['ams1', 'ams2', 'fra1']],
    ['OR alone', '{OR: {name: {exact: "lon1"}}}', ['lon1']],
    ['OR with AND inside', '{tenant: {name: {exact: "Bar"}}, OR: {AND: {status: STATUS_RETIRED}, NOT: {tags: {slug: {exact: "blue"}}}}}', ['ams2', 'lon1']],
    ['AND of ORs', '{AND: {status: STATUS_ACTIVE, OR: {status: STATUS_RETIRED}}, OR: {name: {exact: "fra1"}}}', ['ams1', 'fra1', 'lon1', 'nyc1']],
    ['empty OR is a no-op', '{name: {exact: "ams1"}, OR: {}}', ['ams1']],
    ['empty NOT is a no-op', '{NOT: {}}', ['ams1', 'ams2', 'fra1', 'lon1', 'nyc1']],
    ['empty AND is a no-op', '{AND: {}, status: STATUS_RETIRED}', ['lon1']],
    ['DISTINCT', '{tags: {slug: {in_list: ["red", "blue"]}}, DISTINCT: true}', ['ams1', 'ams2', 'lon1']],
    ['DISTINCT false', '{tags: {slug: {in_list: ["red", "blue"]}}, DISTINCT: false}', ['ams1', 'ams2', 'lon1']],
  ])('%s', async (_name, filter, expected) => {
    expect(await sites(filter)).toEqual(expected);
  });

  it('NOT keeps rows whose column is null (they do not match X)', async () => {
    expect(await list('device_list', '{NOT: {position: {exact: 2.5}}}')).toEqual(['d1', 'd3', 'd4']);
    expect(await list('device_list', '{NOT: {position: {lt: 5}}}')).toEqual(['d3', 'd4']);
    expect(await list('device_list', '{NOT: {face: FACE_FRONT}}')).toEqual(['d2', 'd3', 'd4']);
    expect(await list('interface_list', '{NOT: {mac_address: {i_contains: "aa"}}}')).toEqual(['eth0', 'eth0', 'eth1', 'lo0']);
    expect(await sites('{NOT: {latitude: {gt: 0}}, OR: {name: {exact: "ams1"}}}')).toEqual(['ams1', 'ams2', 'fra1', 'lon1', 'nyc1']);
  });

  it('empty lookups and empty related filters set no condition', async () => {
    expect(await sites('{name: {}}')).toEqual(['ams1', 'ams2', 'fra1', 'lon1', 'nyc1']);
    expect(await sites('{tenant: {}, status: STATUS_RETIRED}')).toEqual(['lon1']);
    expect(await sites('{NOT: {tenant: {name: {}}}}')).toEqual(['ams1', 'ams2', 'fra1', 'lon1', 'nyc1']);
    expect(await sites('{status: STATUS_RETIRED, OR: {devices: {}}}')).toEqual(['lon1']);
  });

  it('null sets no condition on AND/OR/NOT/DISTINCT, and means "no peer" on a relation', async () => {
    expect(await sites('{AND: null, OR: null, NOT: null, DISTINCT: null, status: STATUS_RETIRED}')).toEqual(['lon1']);
    expect(await sites('{tenant: null}')).toEqual(['lon1', 'nyc1']);
    expect(await sites('{tags: null}')).toEqual(['fra1']);
    expect(await sites('{devices: null}')).toEqual(['lon1']);
    expect(await sites('{NOT: {tenant: null}}')).toEqual(['ams1', 'ams2', 'fra1']);
    expect(await list('ip_address_list', '{assigned_object: null}', 'address')).toHaveLength(5);
  });

  it('never duplicates rows across a to-many match, and total_count agrees', async () => {
    for (const distinct of ['', ', DISTINCT: true']) {
      const r = await t.gql(`{ site_list(filters: {tags: {slug: {in_list: ["red", "blue", "green"]}}${distinct}}) { total_count results { name } } }`);
      expect(r.site_list).toEqual({ total_count: 4, results: [{ name: 'ams1' }, { name: 'ams2' }, { name: 'lon1' }, { name: 'nyc1' }] });
    }
  });
});

describe('related filters', () => {
  it.each<[string, string, string, string[]]>([
    ['to-one', 'site_list', '{tenant: {name: {exact: "Foo"}}}', ['ams1', 'fra1']],
    ['to-one, lookup', 'site_list', '{tenant: {name: {i_starts_with: "b"}}}', ['ams2']],
    ['to-one with OR inside', 'site_list', '{tenant: {name: {exact: "Foo"}, OR: {name: {exact: "Bar"}}}}', ['ams1', 'ams2', 'fra1']],
    ['to-many with NOT inside: any related tag that is not red', 'site_list', '{tags: {NOT: {slug: {exact: "red"}}}}', ['ams1', 'ams2', 'nyc1']],
    ['to-many: any related matches', 'site_list', '{tags: {slug: {exact: "red"}}}', ['ams1', 'lon1']],
    ['to-many by name', 'site_list', '{tags: {name: {i_exact: "BLUE"}}}', ['ams1', 'ams2']],
    ['to-many, two conditions on the same peer', 'site_list', '{tags: {slug: {exact: "red"}, name: {exact: "Blue"}}}', []],
    ['to-many, NOT', 'site_list', '{NOT: {tags: {slug: {exact: "red"}}}}', ['ams2', 'fra1', 'nyc1']],
    ['two levels', 'device_list', '{site: {tenant: {name: {exact: "Foo"}}}}', ['d1', 'd3']],
    ['two levels through to-many', 'device_list', '{site: {tags: {slug: {exact: "blue"}}}}', ['d1', 'd2']],
    ['related id lookup', 'device_list', '{site: {id: {in_list: ["SITE_AMS2", "SITE_NYC1"]}}}', ['d2', 'd4']],
    ['reverse', 'site_list', '{devices: {status: STATUS_PLANNED}}', ['ams2', 'fra1']],
    ['reverse, two levels', 'tenant_list', '{sites: {devices: {name: {exact: "d3"}}}}', ['Foo']],
    ['reverse from tenant', 'tenant_list', '{sites: {status: STATUS_PLANNED}}', ['Bar', 'Foo']],
    ['reverse, boolean', 'device_list', '{interfaces: {enabled: {exact: false}}}', ['d1']],
    ['reverse, enum', 'device_list', '{interfaces: {type: TYPE_1000BASE_T}}', ['d1', 'd2']],
    ['reverse, NOT (no related row)', 'site_list', '{NOT: {devices: {id: {is_null: false}}}}', ['lon1']],
    ['reverse and forward together', 'site_list', '{devices: {status: STATUS_PLANNED}, tenant: {name: {exact: "Foo"}}}', ['fra1']],
    ['reverse in OR', 'site_list', '{devices: {name: {exact: "d4"}}, OR: {tags: {slug: {exact: "red"}}}}', ['ams1', 'lon1', 'nyc1']],
  ])('%s', async (_name, field, filter, expected) => {
    const f = filter.replace('SITE_AMS2', ids['site:ams2']!).replace('SITE_NYC1', ids['site:nyc1']!);
    expect(await list(field, f)).toEqual(expected);
  });

  it('filters interfaces through device and site', async () => {
    expect(await list('interface_list', '{device: {site: {slug: {exact: "ams2"}}}}')).toEqual(['eth0']);
    expect(await list('interface_list', '{device: {name: {exact: "d1"}}, enabled: {exact: true}, NOT: {type: TYPE_VIRTUAL}}')).toEqual(['eth0', 'xe0']);
  });

  it('total_count is exact for the filters', async () => {
    const r = await t.gql(`{ interface_list(filters: {device: {site: {tenant: {name: {exact: "Foo"}}}}}, pagination: {limit: 1}) { total_count results { name } } }`);
    expect(r.interface_list).toEqual({ total_count: 4, results: [{ name: 'eth0' }] });
  });
});
