// Inventory subgraph, first slice: sites through the real service against real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, VIEWER, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
const events: unknown[] = [];
const gql = (query: string, variables?: Record<string, unknown>, ctx?: Parameters<typeof callSubgraph>[4]) => callSubgraph(inv.url, 'inventory', query, variables, ctx);

beforeAll(async () => {
  db = await createTestDatabase('inv_sites');
  inv = await start(serviceEnv(db.url), { publisher: { publish: async (_t, e) => void events.push(e) } });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

describe('sites', () => {
  it('creates a site and lists it in the v2 shape', async () => {
    const created = await gql(`mutation { site_create(data: {name: "Amsterdam 1", slug: "ams1", status: STATUS_PLANNED}) { id name slug status display class_type } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data!.site_create).toMatchObject({ name: 'Amsterdam 1', slug: 'ams1', status: 'planned', display: 'Amsterdam 1', class_type: 'Site' });
    const list = await gql(`{ site_list { total_count page_info { offset limit } results { id name } } }`);
    expect(list.data!.site_list).toEqual({ total_count: 1, page_info: { offset: 0, limit: 100 }, results: [{ id: created.data!.site_create.id, name: 'Amsterdam 1' }] });
    const one = await gql(`query($id: ID!) { site(id: $id) { name tenant { name } } }`, { id: created.data!.site_create.id });
    expect(one.data!.site).toEqual({ name: 'Amsterdam 1', tenant: null });
  });

  it('filters by enum in both forms and with OR over a related filter', async () => {
    await gql(`mutation { tenant_create(data: {name: "Foo", slug: "foo"}) { id } }`);
    await gql(`mutation { site_create(data: {name: "Berlin", slug: "ber1", status: "active", tenant: {slug: "foo"}}) { id tenant { name } } }`);
    const a = await gql(`{ site_list(filters: {status: STATUS_PLANNED}) { results { name } } }`);
    expect(a.data!.site_list.results).toEqual([{ name: 'Amsterdam 1' }]);
    const b = await gql(`{ site_list(filters: {status: {exact: STATUS_ACTIVE}}) { results { name } } }`);
    expect(b.data!.site_list.results).toEqual([{ name: 'Berlin' }]);
    const c = await gql(`{ site_list(filters: {status: STATUS_RETIRED, OR: {tenant: {name: {exact: "Foo"}}}}) { results { name } } }`);
    expect(c.data!.site_list.results).toEqual([{ name: 'Berlin' }]);
    const d = await gql(`{ tenant_list { results { name sites { name } } } }`);
    expect(d.data!.tenant_list.results).toEqual([{ name: 'Foo', sites: [{ name: 'Berlin' }] }]);
  });

  it('rejects bad input without writing', async () => {
    const before = await gql(`{ site_list { total_count } }`);
    const dup = await gql(`mutation { site_create(data: {name: "Amsterdam 1", slug: "other"}) { id } }`);
    expect(dup.errors?.[0]?.extensions?.code).toBe('UNIQUENESS_VIOLATION');
    const missing = await gql(`mutation { site_create(data: {slug: "x1"}) { id } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const badEnum = await gql(`mutation { site_create(data: {name: "X", slug: "x", status: STATUS_NOPE}) { id } }`);
    expect(badEnum.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const badRef = await gql(`mutation { site_create(data: {name: "Y", slug: "y", tenant: {slug: "nope"}}) { id } }`);
    expect(badRef.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');
    const bulk = await gql(`mutation { site_bulk_create(data: [{name: "Z1", slug: "z1"}, {name: "Z1", slug: "z2"}]) { id } }`);
    expect(bulk.errors?.[0]?.extensions?.code).toBe('UNIQUENESS_VIOLATION');
    const after = await gql(`{ site_list { total_count } }`);
    expect(after.data!.site_list.total_count).toBe(before.data!.site_list.total_count);
  });

  it('stores attributes whose names look like storage columns (VLAN vid)', async () => {
    const a = await gql(`mutation { vlan_bulk_create(data: [{vid: 100, name: "a"}, {vid: 100, name: "b"}]) { vid name } }`);
    expect(a.errors).toBeUndefined();
    expect(a.data!.vlan_bulk_create).toEqual([
      { vid: 100, name: 'a' },
      { vid: 100, name: 'b' },
    ]);
  });

  it('returns NODE_NOT_FOUND with data null for a missing node', async () => {
    const r = await gql(`{ site(id: "00000000-0000-0000-0000-000000000000") { id } }`);
    expect(r.data).toBeNull();
    expect(r.errors?.[0]).toMatchObject({ message: 'Node not found', path: ['site'], extensions: { code: 'NODE_NOT_FOUND' } });
  });

  it('refuses writes by viewers and writes with at', async () => {
    const v = await gql(`mutation { site_create(data: {name: "V", slug: "v"}) { id } }`, {}, { user: VIEWER });
    expect(v.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const t = await gql(`mutation { site_create(data: {name: "T", slug: "t"}) { id } }`, {}, { at: new Date().toISOString() });
    expect(t.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('updates, time-travels and deletes', async () => {
    const list = await gql(`{ site_list(filters: {slug: {exact: "ber1"}}) { results { id } } }`);
    const id = list.data!.site_list.results[0].id as string;
    const t0 = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const u = await gql(`mutation($id: ID!) { site_update(id: $id, data: {facility: "DC-9"}) { facility name } }`, { id });
    expect(u.data!.site_update).toEqual({ facility: 'DC-9', name: 'Berlin' });
    const past = await gql(`query($id: ID!) { site(id: $id) { facility } }`, { id }, { at: t0 });
    expect(past.data!.site.facility).toBe('');
    const beforeDelete = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 10));
    const del = await gql(`mutation($id: ID!) { site_delete(id: $id) { ok id } }`, { id });
    expect(del.data!.site_delete).toEqual({ ok: true, id });
    const gone = await gql(`query($id: ID!) { site(id: $id) { id } }`, { id });
    expect(gone.errors?.[0]?.extensions?.code).toBe('NODE_NOT_FOUND');
    // time travel to just before the delete still shows the updated site
    const still = await gql(`query($id: ID!) { site(id: $id) { name facility } }`, { id }, { at: beforeDelete });
    expect(still.errors).toBeUndefined();
    expect(still.data!.site).toEqual({ name: 'Berlin', facility: 'DC-9' });
    await inv.relay.flush();
    expect(events.length).toBeGreaterThanOrEqual(4);
  });
});
