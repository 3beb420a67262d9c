// NetBox v2 dialect, query shapes (docs/api.md#queries): the seed queries verbatim, unions over
// polymorphic relations with inline fragments, and the `display` / `class_type` / type names of
// the built-in kinds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, sorted, startDialect, type DialectInstance } from './dialect-support.ts';

let t: DialectInstance;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startDialect('inv_dquery');
  const g = t.gql;
  await g(`mutation { tenant_create(data: {name: "Foo", slug: "foo"}) { id } }`);
  await g(`mutation { tag_create(data: {name: "Red", slug: "red"}) { id } }`);
  ids.site = (await g(`mutation { site_create(data: {name: "Amsterdam 1", slug: "ams1", tenant: {slug: "foo"}, tags: [{slug: "red"}]}) { id } }`)).site_create.id;
  await g(`mutation { provider_bulk_create(data: [{name: "Level3", slug: "level3"}, {name: "Zayo", slug: "zayo"}]) { id } }`);
  await g(`mutation { circuit_type_create(data: {name: "Internet", slug: "internet"}) { id } }`);
  const c = await g(`mutation { circuit_bulk_create(data: [
    {cid: "C-100", provider: {slug: "level3"}, type: {slug: "internet"}, status: STATUS_ACTIVE},
    {cid: "C-200", provider: {slug: "zayo"}, type: {slug: "internet"}, status: STATUS_PLANNED},
    {cid: "C-050", provider: {slug: "zayo"}, type: {slug: "internet"}}]) { id cid } }`);
  ids.c100 = c.circuit_bulk_create[0].id;
  ids.ct = (
    await g(`mutation { circuit_termination_create(data: {circuit: {provider: {slug: "level3"}, cid: "C-100"}, term_side: TERM_SIDE_A, site: {slug: "ams1"}}) { id } }`)
  ).circuit_termination_create.id;

  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  ids.dt = (await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`)).device_type_create.id;
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
  const d = await g(`mutation { device_bulk_create(data: [
    {name: "edge1", site: {slug: "ams1"}, device_type: {slug: "x1"}, role: {slug: "leaf"}},
    {name: "core1", site: {slug: "ams1"}, device_type: {slug: "x1"}, role: {slug: "leaf"}}]) { id name } }`);
  ids.edge1 = d.device_bulk_create[0].id;
  ids.core1 = d.device_bulk_create[1].id;
  const i = await g(
    `mutation($e: ID!, $c: ID!) { interface_bulk_create(data: [
    {device: {id: $e}, name: "eth0", type: TYPE_1000BASE_T},
    {device: {id: $e}, name: "eth1", type: TYPE_1000BASE_T, enabled: false},
    {device: {id: $e}, name: "eth2", type: TYPE_10GBASE_X_SFPP},
    {device: {id: $c}, name: "eth0", type: TYPE_1000BASE_T, enabled: false}]) { id } }`,
    { e: ids.edge1, c: ids.core1 },
  );
  [ids.eth0, ids.eth1, ids.eth2, ids.coreEth0] = i.interface_bulk_create.map((x: { id: string }) => x.id);
  ids.con0 = (await g(`mutation($e: ID!) { console_port_create(data: {device: {id: $e}, name: "con0"}) { id } }`, { e: ids.edge1 })).console_port_create.id;
  const cs = await g(`mutation($c: ID!) { console_server_port_bulk_create(data: [{device: {id: $c}, name: "cs0"}, {device: {id: $c}, name: "cs1"}]) { id } }`, { c: ids.core1 });
  [ids.cs0, ids.cs1] = cs.console_server_port_bulk_create.map((x: { id: string }) => x.id);
  const cab = await g(`mutation($d: [CableCreateInput!]!) { cable_bulk_create(data: $d) { id } }`, {
    d: [
      { label: 'CAB-A', a_terminations: [{ id: ids.ct }], b_terminations: [{ id: ids.eth0 }] },
      { a_terminations: [{ id: ids.con0 }], b_terminations: [{ id: ids.cs0 }], status: 'STATUS_PLANNED' },
      { label: 'CAB-C', a_terminations: [{ id: ids.eth1 }], b_terminations: [{ id: ids.cs1 }] },
    ],
  });
  [ids.cabA, ids.cabB, ids.cabC] = cab.cable_bulk_create.map((x: { id: string }) => x.id);
  await g(`mutation($i: ID!) { ip_address_bulk_create(data: [{address: "10.0.0.1/24", assigned_object: {id: $i}}, {address: "10.0.0.2/24"}]) { id } }`, { i: ids.eth0 });
  await g(`mutation { prefix_create(data: {prefix: "10.0.0.0/24"}) { id } }`);
  await g(`mutation { vlan_create(data: {vid: 10, name: "v10"}) { id } }`);
});
afterAll(async () => {
  await t?.close();
});

describe('seed queries (verbatim)', () => {
  it('circuits by status with their provider', async () => {
    const r = await t.gql(`{circuit_list(filters:{status: STATUS_ACTIVE}) {results {cid provider {name}}}}`);
    expect(r).toEqual({
      circuit_list: {
        results: [
          { cid: 'C-050', provider: { name: 'Zayo' } },
          { cid: 'C-100', provider: { name: 'Level3' } },
        ],
      },
    });
  });

  it('devices with their enabled interfaces', async () => {
    const r = await t.gql(`{device_list {results {id name interfaces(filters: {enabled: {exact: true}}) {name}}}}`);
    expect(r).toEqual({
      device_list: {
        results: [
          { id: ids.core1, name: 'core1', interfaces: [] },
          { id: ids.edge1, name: 'edge1', interfaces: [{ name: 'eth0' }, { name: 'eth2' }] },
        ],
      },
    });
  });

  it('cable terminations through a union with class_type', async () => {
    const r = await t.gql(
      `{cable_list {results {id a_terminations {... on CircuitTerminationType {id class_type} ... on ConsolePortType {id class_type} ... on ConsoleServerPortType {id class_type}}}}}`,
    );
    const expected = [
      { id: ids.cabA, a_terminations: [{ id: ids.ct, class_type: 'CircuitTermination' }] },
      { id: ids.cabB, a_terminations: [{ id: ids.con0, class_type: 'ConsolePort' }] },
      // an interface matches none of the fragments: an empty object, as in GraphQL
      { id: ids.cabC, a_terminations: [{}] },
    ].sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
    expect(r).toEqual({ cable_list: { results: expected } });
  });

  it('sites planned or of tenant Foo', async () => {
    const r = await t.gql(`{site_list(filters:{status: STATUS_PLANNED, OR: {tenant: {name: {exact: "Foo"}}}}) {results {name}}}`);
    expect(r).toEqual({ site_list: { results: [{ name: 'Amsterdam 1' }] } });
  });
});

describe('unions', () => {
  it('resolves both sides of a cable to their concrete types', async () => {
    const r = await t.gql(
      `query($id: ID!) { cable(id: $id) { a_terminations { __typename ... on CircuitTerminationType { term_side circuit { cid } } } b_terminations { __typename ... on InterfaceType { name device { name } } } } }`,
      { id: ids.cabA },
    );
    expect(r.cable).toEqual({
      a_terminations: [{ __typename: 'CircuitTerminationType', term_side: 'A', circuit: { cid: 'C-100' } }],
      b_terminations: [{ __typename: 'InterfaceType', name: 'eth0', device: { name: 'edge1' } }],
    });
  });

  it('resolves an IP address assignment (to-one union), null when unassigned', async () => {
    const r = await t.gql(`{ ip_address_list { results { address assigned_object { __typename ... on InterfaceType { id name class_type device { name } } } } } }`);
    expect(r.ip_address_list.results).toEqual([
      { address: '10.0.0.1/24', assigned_object: { __typename: 'InterfaceType', id: ids.eth0, name: 'eth0', class_type: 'Interface', device: { name: 'edge1' } } },
      { address: '10.0.0.2/24', assigned_object: null },
    ]);
  });

  it('reverse relations from a union member (interface.ip_addresses)', async () => {
    const r = await t.gql(`query($id: ID!) { interface(id: $id) { ip_addresses { address } } }`, { id: ids.eth0 });
    expect(r.interface.ip_addresses).toEqual([{ address: '10.0.0.1/24' }]);
  });

  it('filters a polymorphic relation by id', async () => {
    const r = await t.gql(`query($i: ID!) { ip_address_list(filters: {assigned_object: {id: {exact: $i}}}) { results { address } } }`, { i: ids.eth0 });
    expect(r.ip_address_list.results).toEqual([{ address: '10.0.0.1/24' }]);
    const c = await t.gql(`query($i: ID!) { cable_list(filters: {a_terminations: {id: {in_list: [$i]}}}) { results { id } } }`, { i: ids.con0 });
    expect(c.cable_list.results).toEqual([{ id: ids.cabB }]);
  });
});

describe('display, class_type and type names', () => {
  it.each<[string, string, string, string, string]>([
    ['site', 'site_list', 'Amsterdam 1', 'Site', 'SiteType'],
    ['tenant', 'tenant_list', 'Foo', 'Tenant', 'TenantType'],
    ['tag', 'tag_list', 'Red', 'Tag', 'TagType'],
    ['provider', 'provider_list(filters: {slug: {exact: "zayo"}})', 'Zayo', 'Provider', 'ProviderType'],
    ['circuit', 'circuit_list(filters: {cid: {exact: "C-100"}})', 'C-100', 'Circuit', 'CircuitType'],
    ['circuit type', 'circuit_type_list', 'Internet', 'CircuitType', 'CircuitTypeType'],
    ['circuit termination', 'circuit_termination_list', 'C-100: Termination A', 'CircuitTermination', 'CircuitTerminationType'],
    ['manufacturer', 'manufacturer_list', 'Acme', 'Manufacturer', 'ManufacturerType'],
    ['device type', 'device_type_list', 'X1', 'DeviceType', 'DeviceTypeType'],
    ['device role', 'device_role_list', 'Leaf', 'DeviceRole', 'DeviceRoleType'],
    ['device', 'device_list(filters: {name: {exact: "edge1"}})', 'edge1', 'Device', 'DeviceType'],
    ['interface', 'interface_list(filters: {name: {exact: "eth2"}})', 'eth2', 'Interface', 'InterfaceType'],
    ['console port', 'console_port_list', 'con0', 'ConsolePort', 'ConsolePortType'],
    ['console server port', 'console_server_port_list(filters: {name: {exact: "cs0"}})', 'cs0', 'ConsoleServerPort', 'ConsoleServerPortType'],
    ['labelled cable', 'cable_list(filters: {label: {exact: "CAB-A"}})', 'CAB-A', 'Cable', 'CableType'],
    ['prefix', 'prefix_list', '10.0.0.0/24', 'Prefix', 'PrefixType'],
    ['ip address', 'ip_address_list(filters: {address: {exact: "10.0.0.2/24"}})', '10.0.0.2/24', 'IPAddress', 'IPAddressType'],
    ['vlan', 'vlan_list', 'v10 (10)', 'VLAN', 'VLANType'],
  ])('%s', async (_name, field, display, classType, typeName) => {
    const key = field.replace(/\(.*$/, '');
    const r = await t.gql(`{ ${field} { total_count results { __typename display class_type } } }`);
    expect(r[key]).toEqual({ total_count: 1, results: [{ __typename: typeName, display, class_type: classType }] });
  });

  it('gives an unlabelled cable a non-empty display naming it', async () => {
    const r = await t.gql(`query($id: ID!) { cable(id: $id) { display label class_type } }`, { id: ids.cabB });
    expect(r.cable.label).toBe('');
    expect(r.cable.class_type).toBe('Cable');
    expect(r.cable.display).toContain(ids.cabB);
  });

  it('answers the singular query with the same shape, attributes as enum values', async () => {
    const r = await t.gql(`query($id: ID!) { site(id: $id) { id display class_type name slug status tenant { display } tags { display } } }`, { id: ids.site });
    expect(r.site).toEqual({
      id: ids.site,
      display: 'Amsterdam 1',
      class_type: 'Site',
      name: 'Amsterdam 1',
      slug: 'ams1',
      status: 'active',
      tenant: { display: 'Foo' },
      tags: [{ display: 'Red' }],
    });
    const i = await t.gql(`query($id: ID!) { interface(id: $id) { type enabled device { display } } }`, { id: ids.eth2 });
    expect(i.interface).toEqual({ type: '10gbase-x-sfpp', enabled: true, device: { display: 'edge1' } });
  });

  it('answers a missing node with NODE_NOT_FOUND, data null and the path', async () => {
    const r = await t.raw(`{ device(id: "00000000-0000-4000-8000-000000000000") { id name } }`);
    expect(r.data).toBeNull();
    expect(onlyError(r)).toEqual({ code: 'NODE_NOT_FOUND', message: 'Node not found', path: ['device'] });
    // an id of another kind is not a device
    const other = await t.raw(`query($id: ID!) { device(id: $id) { id } }`, { id: ids.site });
    expect(onlyError(other)).toEqual({ code: 'NODE_NOT_FOUND', message: 'Node not found', path: ['device'] });
    const garbage = await t.raw(`{ site(id: "not-a-uuid") { id } }`);
    expect(onlyError(garbage)).toEqual({ code: 'NODE_NOT_FOUND', message: 'Node not found', path: ['site'] });
  });

  it('lists circuit terminations under their circuit and sites (reverse relations)', async () => {
    const r = await t.gql(`query($id: ID!) { circuit(id: $id) { terminations { display site { name circuit_terminations { term_side } } } } }`, { id: ids.c100 });
    expect(r.circuit.terminations).toEqual([{ display: 'C-100: Termination A', site: { name: 'Amsterdam 1', circuit_terminations: [{ term_side: 'A' }] } }]);
    expect(sorted(Object.keys(r))).toEqual(['circuit']);
  });
});
