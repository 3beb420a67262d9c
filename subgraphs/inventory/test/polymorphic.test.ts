// Polymorphic relations: cable terminations over port-like kinds and circuit terminations,
// IP address assignment, queried with inline fragments and class_type.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
const gql = async (query: string, variables?: Record<string, unknown>) => {
  const r = await callSubgraph(inv.url, 'inventory', query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
};

beforeAll(async () => {
  db = await createTestDatabase('inv_poly');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async () => {} } });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('answers the cable termination seed query with unions and class_type', async () => {
  await gql(`mutation { site_create(data: {name: "S", slug: "s"}) { id } }`);
  await gql(`mutation { manufacturer_create(data: {name: "M", slug: "m"}) { id } }`);
  await gql(`mutation { device_type_create(data: {manufacturer: {slug: "m"}, model: "X1", slug: "x1"}) { id } }`);
  await gql(`mutation { device_role_create(data: {name: "R", slug: "r"}) { id } }`);
  const d = await gql(`mutation { device_create(data: {name: "d1", site: {slug: "s"}, device_type: {slug: "x1"}, role: {slug: "r"}}) { id } }`);
  const cp = await gql(`mutation($d: ID!) { console_port_create(data: {device: {id: $d}, name: "con0"}) { id } }`, { d: d.device_create.id });
  const csp = await gql(`mutation($d: ID!) { console_server_port_create(data: {device: {id: $d}, name: "cs1"}) { id } }`, { d: d.device_create.id });
  const c = await gql(`mutation($a: ID!, $b: ID!) { cable_create(data: {a_terminations: [{id: $a}], b_terminations: [{id: $b}], status: STATUS_CONNECTED}) { id } }`, {
    a: cp.console_port_create.id,
    b: csp.console_server_port_create.id,
  });
  const r = await gql(
    `{ cable_list { results { id a_terminations { ... on CircuitTerminationType { id class_type } ... on ConsolePortType { id class_type } ... on ConsoleServerPortType { id class_type } } b_terminations { ... on ConsoleServerPortType { id class_type } } } } }`,
  );
  expect(r.cable_list.results).toEqual([
    {
      id: c.cable_create.id,
      a_terminations: [{ id: cp.console_port_create.id, class_type: 'ConsolePort' }],
      b_terminations: [{ id: csp.console_server_port_create.id, class_type: 'ConsoleServerPort' }],
    },
  ]);
  const iface = await gql(`mutation($d: ID!) { interface_create(data: {device: {id: $d}, name: "eth0", type: TYPE_1000BASE_T}) { id type } }`, { d: d.device_create.id });
  expect(iface.interface_create.type).toBe('1000base-t');
  await gql(`mutation($i: ID!) { ip_address_create(data: {address: "10.0.0.1/24", assigned_object: {id: $i}}) { id } }`, { i: iface.interface_create.id });
  const ip = await gql(`{ ip_address_list { results { address assigned_object { ... on InterfaceType { name class_type device { name } } } } } }`);
  expect(ip.ip_address_list.results).toEqual([{ address: '10.0.0.1/24', assigned_object: { name: 'eth0', class_type: 'Interface', device: { name: 'd1' } } }]);
  const nested = await gql(`{ device_list { results { id name interfaces(filters: {enabled: {exact: true}}) { name } } } }`);
  expect(nested.device_list.results[0].interfaces).toEqual([{ name: 'eth0' }]);
  const contained = await gql(`{ ip_address_list(filters: {address: {net_contained_or_equal: "10.0.0.0/8"}}) { total_count } }`);
  expect(contained.ip_address_list.total_count).toBe(1);
});

it('names nodes with human-friendly ids and accepts them as references', async () => {
  const ifaces = await gql(`{ interface_list(filters: {name: {exact: "eth0"}}) { results { hfid device { hfid } } } }`);
  expect(ifaces.interface_list.results).toEqual([{ hfid: ['S', 'd1', 'eth0'], device: { hfid: ['S', 'd1'] } }]);
  const viaHfid = await gql(`mutation { interface_create(data: {device: {hfid: ["S", "d1"]}, name: "eth1", type: TYPE_VIRTUAL}) { hfid } }`);
  expect(viaHfid.interface_create.hfid).toEqual(['S', 'd1', 'eth1']);
  const bad = await callSubgraph(inv.url, 'inventory', `mutation { interface_create(data: {device: {hfid: ["nope"]}, name: "eth2", type: TYPE_VIRTUAL}) { hfid } }`);
  expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
});
