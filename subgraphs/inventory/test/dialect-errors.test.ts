// NetBox v2 dialect, bad input (docs/api.md#mutations): every refused request answers with its
// documented code and writes nothing (row counts are compared before and after each one).
// Codes from GraphQL's own validation (GRAPHQL_VALIDATION_FAILED, variable coercion as
// BAD_USER_INPUT) are what the subgraph answers; the gateway maps them for clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GqlResponse } from '../../../test/support.ts';
import { onlyError, startDialect, type DialectInstance } from './dialect-support.ts';

let t: DialectInstance;
const ids: Record<string, string> = {};
const MISSING = '00000000-0000-4000-8000-000000000000';

const COUNTED = ['site_list', 'tenant_list', 'tag_list', 'device_list', 'interface_list', 'prefix_list', 'ip_address_list', 'vlan_list', 'cable_list', 'rack_list'];
async function counts(): Promise<Record<string, number>> {
  const d = await t.gql(`{ ${COUNTED.map((l) => `${l} { total_count }`).join(' ')} }`);
  return Object.fromEntries(COUNTED.map((l) => [l, d[l].total_count]));
}
/** A snapshot of the values that a refused update must leave alone. */
async function state(): Promise<unknown> {
  return t.gql(`{ site_list { results { id name slug status latitude tenant { id } tags { id } last_updated } } interface_list { results { id name mtu last_updated } } }`);
}

/** Runs a request that must fail with `code` (and a message matching `message`) and write nothing. */
async function refused(code: string, query: string, variables?: Record<string, unknown>, message?: RegExp, ctx?: Parameters<DialectInstance['raw']>[2]): Promise<GqlResponse> {
  const beforeCounts = await counts();
  const beforeState = await state();
  const r = await t.raw(query, variables, ctx);
  expect(r.errors, `${query} answered ${JSON.stringify(r.data)}`).toBeDefined();
  expect(r.errors![0]!.extensions?.code, JSON.stringify(r.errors)).toBe(code);
  if (message) expect(r.errors![0]!.message).toMatch(message);
  expect(r.data ?? null, 'a refused mutation returns no data').toBeNull();
  expect(await counts()).toEqual(beforeCounts);
  expect(await state()).toEqual(beforeState);
  return r;
}

beforeAll(async () => {
  t = await startDialect('inv_derr');
  const g = t.gql;
  await g(`mutation { tag_bulk_create(data: [{name: "Red", slug: "red"}]) { id } }`);
  ids.tenant = (await g(`mutation { tenant_create(data: {name: "Foo", slug: "foo"}) { id } }`)).tenant_create.id;
  const s = await g(`mutation { site_bulk_create(data: [{name: "ams1", slug: "ams1"}, {name: "ams2", slug: "ams2"}]) { id } }`);
  [ids.ams1, ids.ams2] = s.site_bulk_create.map((x: { id: string }) => x.id);
  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
  const d = await g(`mutation { device_bulk_create(data: [
    {name: "d1", site: {slug: "ams1"}, role: {slug: "leaf"}, device_type: {slug: "x1"}},
    {name: "d1", site: {slug: "ams2"}, role: {slug: "leaf"}, device_type: {slug: "x1"}}]) { id } }`);
  [ids.d1, ids.d1b] = d.device_bulk_create.map((x: { id: string }) => x.id);
  ids.eth0 = (await g(`mutation($d: ID!) { interface_create(data: {device: {id: $d}, name: "eth0", type: TYPE_1000BASE_T}) { id } }`, { d: ids.d1 })).interface_create.id;
  await g(`mutation { prefix_create(data: {prefix: "10.0.0.0/24"}) { id } }`);
  await g(`mutation { vlan_create(data: {vid: 10, name: "v10"}) { id } }`);
  await g(`mutation { rir_create(data: {name: "RIPE", slug: "ripe"}) { id } }`);
});
afterAll(async () => {
  await t?.close();
});

describe('wrong types', () => {
  it('a string for a Float attribute through variables: BAD_USER_INPUT (HTTP 400)', async () => {
    const r = await refused('BAD_USER_INPUT', `mutation($d: SiteCreateInput!) { site_create(data: $d) { id } }`, { d: { name: 'W', slug: 'w', latitude: 'north' } }, /Float/);
    expect(r.status).toBe(400);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['string for Int', 'VLANCreateInput', { vid: 'ten', name: 'x' }],
    ['fraction for Int', 'InterfaceCreateInput', { device: { id: 'D1' }, name: 'x', type: 'TYPE_VIRTUAL', mtu: 1.5 }],
    ['string for Boolean', 'InterfaceCreateInput', { device: { id: 'D1' }, name: 'x', type: 'TYPE_VIRTUAL', enabled: 'yes' }],
    ['number for a Choice', 'SiteCreateInput', { name: 'W', slug: 'w', status: 3 }],
    ['object for a String', 'SiteCreateInput', { name: { x: 1 }, slug: 'w' }],
    ['unknown input field', 'SiteCreateInput', { name: 'W', slug: 'w', bogus: 1 }],
    ['list for a to-one', 'SiteCreateInput', { name: 'W', slug: 'w', tenant: [{ slug: 'foo' }] }],
  ])('%s through variables: BAD_USER_INPUT', async (_name, type, data) => {
    const field = { VLANCreateInput: 'vlan_create', InterfaceCreateInput: 'interface_create', SiteCreateInput: 'site_create' }[type];
    const d = JSON.parse(JSON.stringify(data).replace('"D1"', JSON.stringify(ids.d1)));
    await refused('BAD_USER_INPUT', `mutation($d: ${type}!) { ${field}(data: $d) { id } }`, { d });
  });

  it('wrong literal types and unknown fields fail GraphQL validation: GRAPHQL_VALIDATION_FAILED (HTTP 400)', async () => {
    for (const q of [
      `mutation { site_create(data: {name: "W", slug: "w", latitude: "north"}) { id } }`,
      `mutation { site_create(data: {name: "W", slug: "w", bogus: 1}) { id } }`,
      `mutation { vlan_create(data: {vid: "ten", name: "x"}) { id } }`,
      `{ site_list(filters: {bogus: {exact: "x"}}) { total_count } }`,
      `{ site_list { results { bogus } } }`,
      `{ site_list(filters: {name: {exact: 1}}) { total_count } }`,
    ]) {
      const r = await refused('GRAPHQL_VALIDATION_FAILED', q);
      expect(r.status).toBe(400);
    }
  });

  it('values out of range or badly formed: VALIDATION_ERROR naming the field', async () => {
    const cases: [string, RegExp][] = [
      [`mutation { vlan_create(data: {vid: 5000, name: "x"}) { id } }`, /VLAN\.vid: must be <= 4094/],
      [`mutation { site_create(data: {name: "W", slug: "w", latitude: 91}) { id } }`, /Site\.latitude: must be <= 90/],
      [`mutation { site_create(data: {name: "${'x'.repeat(101)}", slug: "w"}) { id } }`, /Site\.name: must be at most 100 characters/],
      [`mutation { tag_create(data: {name: "T", slug: "t", color: "red"}) { id } }`, /Tag\.color/],
      [`mutation { interface_create(data: {device: {id: "${ids.d1}"}, name: "x", type: TYPE_VIRTUAL, mac_address: "zz:zz"}) { id } }`, /Interface\.mac_address/],
      [`mutation { interface_create(data: {device: {id: "${ids.d1}"}, name: "x", type: TYPE_VIRTUAL, mtu: 0}) { id } }`, /Interface\.mtu: must be >= 1/],
      [`mutation { aggregate_create(data: {prefix: "10.0.0.0/8", rir: {slug: "ripe"}, date_added: "2024-13-45"}) { id } }`, /Aggregate\.date_added: must be a date/],
    ];
    for (const [q, m] of cases) await refused('VALIDATION_ERROR', q, undefined, m);
  });
});

describe('enums', () => {
  it('an unknown enum value in a mutation: VALIDATION_ERROR listing the choices', async () => {
    await refused(
      'VALIDATION_ERROR',
      `mutation { site_create(data: {name: "W", slug: "w", status: STATUS_BOGUS}) { id } }`,
      undefined,
      /Site\.status: must be one of .*STATUS_ACTIVE/,
    );
    await refused('VALIDATION_ERROR', `mutation($d: SiteCreateInput!) { site_create(data: $d) { id } }`, { d: { name: 'W', slug: 'w', status: 'bogus' } }, /Site\.status/);
    await refused(
      'VALIDATION_ERROR',
      `mutation { interface_create(data: {device: {id: "${ids.d1}"}, name: "x", type: TYPE_1000BASE_TX_NOPE}) { id } }`,
      undefined,
      /Interface\.type/,
    );
    await refused('VALIDATION_ERROR', `mutation($id: ID!) { site_update(id: $id, data: {status: STATUS_NOPE}) { id } }`, { id: ids.ams1 }, /Site\.status/);
  });

  it('an unknown enum value in a filter: BAD_USER_INPUT', async () => {
    await refused('BAD_USER_INPUT', `{ site_list(filters: {status: STATUS_BOGUS}) { results { name } } }`);
    await refused('BAD_USER_INPUT', `{ site_list(filters: {status: {in_list: [STATUS_ACTIVE, STATUS_BOGUS]}}) { results { name } } }`);
  });
});

describe('IP formats', () => {
  it.each<[string, string]>([
    ['ip_address', '10.0.0.300/24'],
    ['ip_address', '10.0.0.1/33'],
    ['ip_address', 'not-an-ip'],
    ['ip_address', '2001:db8::g/64'],
    ['prefix', '10.0.0.1/24'],
    ['prefix', '10.0.0.0'],
    ['prefix', '2001:db8::1/32'],
    ['prefix', '10.0.0.0/24/8'],
    ['prefix', 'fe80::%eth0/64'],
    ['ip_address', 'fe80::1%eth0/64'],
  ])('%s %s: VALIDATION_ERROR', async (kind, value) => {
    const field = kind === 'prefix' ? 'prefix' : 'address';
    await refused('VALIDATION_ERROR', `mutation($v: String) { ${kind}_create(data: {${field}: $v}) { id } }`, { v: value }, new RegExp(`\\.${field}: `));
  });

  it('a bad item in a bulk create refuses the whole batch and names the item', async () => {
    await refused(
      'VALIDATION_ERROR',
      `mutation { prefix_bulk_create(data: [{prefix: "10.9.0.0/16"}, {prefix: "10.9.1.1/24"}]) { id } }`,
      undefined,
      /Prefix\.prefix \(item 1\): has host bits set/,
    );
  });
});

describe('uniqueness', () => {
  it('single attribute, against existing nodes', async () => {
    await refused('UNIQUENESS_VIOLATION', `mutation { site_create(data: {name: "ams1", slug: "other"}) { id } }`, undefined, /name/);
    await refused('UNIQUENESS_VIOLATION', `mutation { site_create(data: {name: "other", slug: "ams2"}) { id } }`, undefined, /slug/);
    await refused('UNIQUENESS_VIOLATION', `mutation($id: ID!) { site_update(id: $id, data: {slug: "ams1"}) { id } }`, { id: ids.ams2 });
  });

  it('composite constraint, against existing nodes (same name on another device is fine)', async () => {
    await refused(
      'UNIQUENESS_VIOLATION',
      `mutation($d: ID!) { interface_create(data: {device: {id: $d}, name: "eth0", type: TYPE_VIRTUAL}) { id } }`,
      { d: ids.d1 },
      /device, name/,
    );
    await refused('UNIQUENESS_VIOLATION', `mutation { device_create(data: {name: "d1", site: {slug: "ams1"}, role: {slug: "leaf"}, device_type: {slug: "x1"}}) { id } }`);
    // moving d1 of ams2 onto ams1 collides with d1 there
    await refused('UNIQUENESS_VIOLATION', `mutation($id: ID!) { device_update(id: $id, data: {site: {slug: "ams1"}}) { id } }`, { id: ids.d1b });
  });

  it('within one bulk batch (single and composite) and against existing nodes from a batch', async () => {
    await refused('UNIQUENESS_VIOLATION', `mutation { site_bulk_create(data: [{name: "n1", slug: "dup"}, {name: "n2", slug: "dup"}]) { id } }`, undefined, /twice/);
    await refused(
      'UNIQUENESS_VIOLATION',
      `mutation($d: ID!) { interface_bulk_create(data: [{device: {id: $d}, name: "x1", type: TYPE_VIRTUAL}, {device: {id: $d}, name: "x1", type: TYPE_VIRTUAL}]) { id } }`,
      { d: ids.d1 },
      /twice/,
    );
    await refused(
      'UNIQUENESS_VIOLATION',
      `mutation { site_bulk_create(data: [{name: "fresh", slug: "fresh"}, {name: "ams2", slug: "fresh2"}]) { id } }`,
      undefined,
      /already exists/,
    );
    await refused(
      'UNIQUENESS_VIOLATION',
      `mutation($d: ID!) { interface_bulk_create(data: [{device: {id: $d}, name: "ok1", type: TYPE_VIRTUAL}, {device: {name: "d1", site: {slug: "ams1"}}, name: "eth0", type: TYPE_VIRTUAL}]) { id } }`,
      { d: ids.d1 },
    );
  });

  it('an upsert that finds one node but takes the unique value of another', async () => {
    await refused('UNIQUENESS_VIOLATION', `mutation { site_upsert(data: {name: "ams1", slug: "ams2"}) { id } }`);
  });
});

describe('required fields and references', () => {
  it('missing required attributes and relations: VALIDATION_ERROR naming them', async () => {
    await refused('VALIDATION_ERROR', `mutation { site_create(data: {name: "W"}) { id } }`, undefined, /Site\.slug: is required/);
    await refused(
      'VALIDATION_ERROR',
      `mutation { device_create(data: {name: "x", role: {slug: "leaf"}, device_type: {slug: "x1"}}) { id } }`,
      undefined,
      /Device\.site: is required/,
    );
    await refused('VALIDATION_ERROR', `mutation($d: ID!) { interface_create(data: {device: {id: $d}, name: "x"}) { id } }`, { d: ids.d1 }, /Interface\.type: is required/);
    await refused('VALIDATION_ERROR', `mutation { site_bulk_create(data: [{name: "ok", slug: "ok"}, {name: "no-slug"}]) { id } }`, undefined, /Site\.slug \(item 1\): is required/);
    await refused('VALIDATION_ERROR', `mutation($id: ID!) { site_update(id: $id, data: {name: null}) { id } }`, { id: ids.ams1 }, /Site\.name: is required/);
    await refused('VALIDATION_ERROR', `mutation($id: ID!) { device_update(id: $id, data: {site: null}) { id } }`, { id: ids.d1 }, /Device\.site: is required/);
  });

  it('a peer of the wrong kind: VALIDATION_ERROR', async () => {
    await refused(
      'VALIDATION_ERROR',
      `mutation($t: ID!) { device_create(data: {name: "x", site: {id: $t}, role: {slug: "leaf"}, device_type: {slug: "x1"}}) { id } }`,
      { t: ids.tenant },
      /must reference DcimSite, got TenancyTenant/,
    );
    await refused('VALIDATION_ERROR', `mutation($t: ID!) { site_create(data: {name: "W", slug: "w", tags: [{id: $t}]}) { id } }`, { t: ids.tenant }, /must reference ExtrasTag/);
    await refused(
      'VALIDATION_ERROR',
      `mutation($s: ID!) { ip_address_create(data: {address: "10.0.0.5/24", assigned_object: {id: $s}}) { id } }`,
      { s: ids.ams1 },
      /assigned_object/,
    );
    await refused(
      'VALIDATION_ERROR',
      `mutation($s: ID!, $i: ID!) { cable_create(data: {a_terminations: [{id: $s}], b_terminations: [{id: $i}]}) { id } }`,
      { s: ids.ams1, i: ids.eth0 },
      /a_terminations/,
    );
  });

  it('a reference to a missing node: VALIDATION_ERROR', async () => {
    await refused('VALIDATION_ERROR', `mutation { site_create(data: {name: "W", slug: "w", tenant: {id: "${MISSING}"}}) { id } }`, undefined, /Site\.tenant: no node with id/);
    await refused('VALIDATION_ERROR', `mutation { site_create(data: {name: "W", slug: "w", tenant: {slug: "nope"}}) { id } }`, undefined, /Site\.tenant: no TenancyTenant matches/);
    await refused('VALIDATION_ERROR', `mutation { site_create(data: {name: "W", slug: "w", tenant: {id: "not-a-uuid"}}) { id } }`, undefined, /Site\.tenant/);
    await refused('VALIDATION_ERROR', `mutation { site_create(data: {name: "W", slug: "w", tags: [{slug: "red"}, {slug: "nope"}]}) { id } }`, undefined, /Site\.tags/);
    await refused(
      'VALIDATION_ERROR',
      `mutation($i: ID!) { cable_create(data: {a_terminations: [{id: $i}], b_terminations: [{id: "${MISSING}"}]}) { id } }`,
      { i: ids.eth0 },
      /b_terminations/,
    );
    await refused(
      'VALIDATION_ERROR',
      `mutation { interface_create(data: {device: {name: "d1", site: {slug: "nope"}}, name: "x", type: TYPE_VIRTUAL}) { id } }`,
      undefined,
      /Interface\.device/,
    );
  });

  it('an ambiguous or empty reference: VALIDATION_ERROR', async () => {
    await refused('VALIDATION_ERROR', `mutation { interface_create(data: {device: {name: "d1"}, name: "x", type: TYPE_VIRTUAL}) { id } }`, undefined, /ambiguous/);
    await refused('VALIDATION_ERROR', `mutation { site_create(data: {name: "W", slug: "w", tenant: {}}) { id } }`, undefined, /Site\.tenant/);
  });

  it('a deleted node can no longer be referenced', async () => {
    const tmp = (await t.gql(`mutation { tenant_create(data: {name: "Tmp", slug: "tmp"}) { id } }`)).tenant_create.id;
    await t.gql(`mutation($id: ID!) { tenant_delete(id: $id) { ok } }`, { id: tmp });
    await refused('VALIDATION_ERROR', `mutation($t: ID!) { site_create(data: {name: "W", slug: "w", tenant: {id: $t}}) { id } }`, { t: tmp });
  });
});

describe('missing nodes', () => {
  it('singular query: data null, path, "Node not found"', async () => {
    const r = await refused('NODE_NOT_FOUND', `{ device(id: "${MISSING}") { id name } }`);
    expect(r.data).toBeNull();
    expect(onlyError(r)).toEqual({ code: 'NODE_NOT_FOUND', message: 'Node not found', path: ['device'] });
  });

  it('update and delete of a missing node, or of a node of another kind', async () => {
    for (const [q, v] of [
      [`mutation { site_update(id: "${MISSING}", data: {name: "x"}) { id } }`, {}],
      [`mutation { site_delete(id: "${MISSING}") { ok id } }`, {}],
      [`mutation($id: ID!) { site_update(id: $id, data: {name: "x"}) { id } }`, { id: ids.d1 }],
      [`mutation($id: ID!) { site_delete(id: $id) { ok id } }`, { id: ids.tenant }],
      [`mutation { tenant_delete(id: "nope") { ok id } }`, {}],
    ] as const) {
      const r = await refused('NODE_NOT_FOUND', q, v);
      expect(r.errors![0]!.path).toHaveLength(1);
    }
  });
});

describe('filters', () => {
  it('an invalid regular expression: BAD_USER_INPUT', async () => {
    await refused('BAD_USER_INPUT', `{ site_list(filters: {name: {regex: "("}}) { total_count results { name } } }`, undefined, /regular expression/);
    await refused('BAD_USER_INPUT', `{ site_list(filters: {name: {i_regex: "[z-a]"}}) { results { name } } }`);
  });

  it('malformed ids and addresses in filters: BAD_USER_INPUT', async () => {
    await refused('BAD_USER_INPUT', `{ site_list(filters: {id: {exact: "garbage"}}) { results { name } } }`);
    await refused('BAD_USER_INPUT', `{ device_list(filters: {site_id: "garbage"}) { results { name } } }`);
    await refused('BAD_USER_INPUT', `{ prefix_list(filters: {prefix: {net_contained: "10.0.0.0/99"}}) { results { prefix } } }`);
  });
});

describe('time travel', () => {
  it('refuses every write with `at` (BAD_USER_INPUT) and writes nothing', async () => {
    const ctx = { at: new Date(Date.now() - 50).toISOString() };
    await refused('BAD_USER_INPUT', `mutation { site_create(data: {name: "W", slug: "w"}) { id } }`, undefined, /at/, ctx);
    await refused('BAD_USER_INPUT', `mutation { site_bulk_create(data: [{name: "W", slug: "w"}]) { id } }`, undefined, undefined, ctx);
    await refused('BAD_USER_INPUT', `mutation($id: ID!) { site_update(id: $id, data: {status: STATUS_RETIRED}) { id } }`, { id: ids.ams1 }, undefined, ctx);
    await refused('BAD_USER_INPUT', `mutation { site_upsert(data: {name: "ams1", slug: "ams1", status: STATUS_RETIRED}) { id } }`, undefined, undefined, ctx);
    await refused('BAD_USER_INPUT', `mutation($id: ID!) { interface_delete(id: $id) { ok id } }`, { id: ids.eth0 }, undefined, ctx);
    // reads with `at` are fine
    const r = await t.gql(`{ site_list { total_count } }`, {}, ctx);
    expect(r.site_list.total_count).toBe(2);
  });
});
