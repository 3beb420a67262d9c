// Nested fields are batched: `extensions.strata.sql_statements` is the same for 1 and for 100
// rows on queries mixing to-one, to-many, reverse and polymorphic fields (issue 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDialect, type DialectInstance } from './dialect-support.ts';

let t: DialectInstance;
const N = 100;
const pad = (i: number) => String(i).padStart(3, '0');

beforeAll(async () => {
  t = await startDialect('inv_dstmt');
  const g = t.gql;
  await g(`mutation { tenant_bulk_create(data: [{name: "T1", slug: "t1"}, {name: "T2", slug: "t2"}]) { id } }`);
  await g(`mutation { tag_bulk_create(data: [{name: "a", slug: "a"}, {name: "b", slug: "b"}]) { id } }`);
  await g(`mutation { site_bulk_create(data: [{name: "s1", slug: "s1", tenant: {slug: "t1"}}, {name: "s2", slug: "s2", tenant: {slug: "t2"}}]) { id } }`);
  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
  const dev = await g(`mutation($d: [DeviceCreateInput!]!) { device_bulk_create(data: $d) { id } }`, {
    d: Array.from({ length: N }, (_, i) => ({
      name: `dev-${pad(i)}`,
      site: { slug: i % 2 ? 's2' : 's1' },
      tenant: { slug: i % 2 ? 't2' : 't1' },
      device_type: { slug: 'x1' },
      role: { slug: 'leaf' },
      tags: [{ slug: 'a' }, { slug: 'b' }],
    })),
  });
  const devIds: string[] = dev.device_bulk_create.map((x: { id: string }) => x.id);
  const ifs = await g(`mutation($d: [InterfaceCreateInput!]!) { interface_bulk_create(data: $d) { id } }`, {
    d: devIds.flatMap((id) => [
      { device: { id }, name: 'eth0', type: 'TYPE_1000BASE_T' },
      { device: { id }, name: 'eth1', type: 'TYPE_1000BASE_T', enabled: false },
    ]),
  });
  const ifIds: string[] = ifs.interface_bulk_create.map((x: { id: string }) => x.id);
  const cps = await g(`mutation($d: [ConsolePortCreateInput!]!) { console_port_bulk_create(data: $d) { id } }`, { d: devIds.map((id) => ({ device: { id }, name: 'con0' })) });
  const cpIds: string[] = cps.console_port_bulk_create.map((x: { id: string }) => x.id);
  const ips = await g(`mutation($d: [IPAddressCreateInput!]!) { ip_address_bulk_create(data: $d) { id } }`, {
    d: devIds.map((_, i) => ({ address: `10.${Math.floor(i / 250)}.${i % 250}.1/24`, assigned_object: { id: ifIds[2 * i] }, tenant: { slug: 't1' } })),
  });
  const ipIds: string[] = ips.ip_address_bulk_create.map((x: { id: string }) => x.id);
  // every device gets its primary IP (same loader work for 1 and for 100 rows)
  for (let i = 0; i < N; i++) await g(`mutation($id: ID!, $ip: ID!) { device_update(id: $id, data: {primary_ip4: {id: $ip}}) { id } }`, { id: devIds[i], ip: ipIds[i] });
  await g(`mutation($d: [CableCreateInput!]!) { cable_bulk_create(data: $d) { id } }`, {
    d: devIds.map((_, i) => ({
      label: `cab-${pad(i)}`,
      tenant: { slug: 't1' },
      a_terminations: [{ id: ifIds[2 * i] }],
      b_terminations: [{ id: cpIds[i] }],
      tags: [{ slug: 'a' }],
    })),
  });
});
afterAll(async () => {
  await t?.close();
});

async function statements(query: string, n: number): Promise<{ count: number; rows: number }> {
  const r = await t.raw(query, { n });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const list = Object.values(r.data!)[0] as { results: unknown[] };
  return { count: r.extensions?.strata?.sql_statements, rows: list.results.length };
}

async function expectConstant(query: string): Promise<void> {
  const one = await statements(query, 1);
  const ten = await statements(query, 10);
  const hundred = await statements(query, N);
  expect([one.rows, ten.rows, hundred.rows]).toEqual([1, 10, N]);
  expect(one.count).toBeGreaterThan(0);
  expect([ten.count, hundred.count]).toEqual([one.count, one.count]);
}

describe('statement counts do not grow with the page size', () => {
  it('devices: to-one chains, to-many, reverse with arguments, polymorphic to-one', async () => {
    await expectConstant(`query($n: Int) { device_list(pagination: {limit: $n}) { total_count results {
      id name display class_type hfid
      site { name tenant { name } }
      tenant { name }
      device_type { model display manufacturer { name } }
      role { name }
      primary_ip4 { address assigned_object { ... on InterfaceType { name device { name } } } }
      tags { slug }
      interfaces { name display ip_addresses { address } }
      enabled: interfaces(filters: {enabled: {exact: true}}, order: {name: DESC}, pagination: {limit: 1}) { name }
      consoleports { name }
    } } }`);
  });

  it('cables: polymorphic to-many on both sides with nested peers', async () => {
    await expectConstant(`query($n: Int) { cable_list(pagination: {limit: $n}) { total_count results {
      id display tenant { name } tags { slug }
      a_terminations { ... on InterfaceType { id name class_type display device { name site { name } } } ... on ConsolePortType { id } }
      b_terminations { ... on ConsolePortType { id class_type display device { name interfaces { name } } } }
    } } }`);
  });

  it('IP addresses: polymorphic to-one with reverse fields below it', async () => {
    await expectConstant(`query($n: Int) { ip_address_list(pagination: {limit: $n}) { results {
      address display tenant { name sites { name } }
      assigned_object { ... on InterfaceType { name device { name site { name } interfaces(pagination: {limit: 1}) { name } } } }
    } } }`);
  });

  it('to-many relations with filters or order', async () => {
    await expectConstant(`query($n: Int) { device_list(pagination: {limit: $n}) { results {
      name tags(filters: {slug: {exact: "a"}}) { slug } sorted: tags(order: {name: DESC}) { name }
    } } }`);
  });
});
