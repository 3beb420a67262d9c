// NetBox v2 dialect, mutations (docs/api.md#mutations): create, update, upsert on the kind's unique
// constraints, delete ({ok id}), bulk create; relation inputs by id, by a unique attribute set
// (also composite and nested) and lists for to-many relations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyError, sorted, startDialect, type DialectInstance } from './dialect-support.ts';

let t: DialectInstance;
const ids: Record<string, string> = {};
const count = async (list: string, filter = '{}') => (await t.gql(`{ ${list}(filters: ${filter}) { total_count } }`))[list].total_count as number;
const slugs = (xs: { slug: string }[]) => sorted(xs.map((x) => x.slug));

beforeAll(async () => {
  t = await startDialect('inv_dmut');
  const g = t.gql;
  await g(`mutation { tag_bulk_create(data: [{name: "Red", slug: "red"}, {name: "Blue", slug: "blue"}, {name: "Green", slug: "green"}]) { id } }`);
  const tn = await g(`mutation { tenant_bulk_create(data: [{name: "Foo", slug: "foo"}, {name: "Bar", slug: "bar"}]) { id } }`);
  [ids.foo, ids.bar] = tn.tenant_bulk_create.map((x: { id: string }) => x.id);
  await g(`mutation { manufacturer_create(data: {name: "Acme", slug: "acme"}) { id } }`);
  await g(`mutation { device_role_create(data: {name: "Leaf", slug: "leaf"}) { id } }`);
});
afterAll(async () => {
  await t?.close();
});

describe('create', () => {
  it('creates with attributes, enums, to-one by unique attribute and to-many lists', async () => {
    const r = await t.gql(`mutation { site_create(data: {name: "Amsterdam 1", slug: "ams1", status: STATUS_PLANNED, tenant: {slug: "foo"},
      tags: [{slug: "red"}, {name: "Blue"}], latitude: 52.37, facility: "DC-1", description: "first"}) {
      id name slug status latitude longitude facility description comments display class_type tenant { id name } tags { slug } created last_updated } }`);
    const s = r.site_create;
    ids.ams1 = s.id;
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
    expect({ ...s, id: undefined, tags: slugs(s.tags), created: undefined, last_updated: undefined }).toEqual({
      name: 'Amsterdam 1',
      slug: 'ams1',
      status: 'planned',
      latitude: 52.37,
      longitude: null,
      facility: 'DC-1',
      description: 'first',
      comments: '',
      display: 'Amsterdam 1',
      class_type: 'Site',
      tenant: { id: ids.foo, name: 'Foo' },
      tags: ['blue', 'red'],
      id: undefined,
      created: undefined,
      last_updated: undefined,
    });
    expect(s.created).toBe(s.last_updated);
    const again = await t.gql(`query($id: ID!) { site(id: $id) { name status tenant { name } } }`, { id: s.id });
    expect(again.site).toEqual({ name: 'Amsterdam 1', status: 'planned', tenant: { name: 'Foo' } });
  });

  it('fills defaults and empty optional values', async () => {
    const r = await t.gql(`mutation { site_create(data: {name: "Berlin", slug: "ber1"}) { id status comments facility latitude tenant { id } tags { id } } }`);
    ids.ber1 = r.site_create.id;
    expect({ ...r.site_create, id: undefined }).toEqual({ id: undefined, status: 'active', comments: '', facility: '', latitude: null, tenant: null, tags: [] });
    const rack = await t.gql(`mutation { rack_create(data: {name: "r1", site: {slug: "ber1"}}) { u_height width desc_units status } }`);
    expect(rack.rack_create).toEqual({ u_height: 42, width: 19, desc_units: false, status: 'active' });
  });

  it('takes relations by {id}, by a composite unique set with a nested relation, and enum values by name or value', async () => {
    const dt = await t.gql(`mutation { device_type_create(data: {manufacturer: {slug: "acme"}, model: "X1", slug: "x1"}) { id u_height is_full_depth manufacturer { name } } }`);
    expect({ ...dt.device_type_create, id: undefined }).toEqual({ id: undefined, u_height: 1, is_full_depth: true, manufacturer: { name: 'Acme' } });
    const d = await t.gql(
      `mutation($s: ID!) { device_create(data: {name: "d1", site: {id: $s}, role: {slug: "leaf"},
      device_type: {manufacturer: {slug: "acme"}, model: "X1"}, status: "planned", face: FACE_REAR}) { id status face site { slug } device_type { model } role { name } } }`,
      { s: ids.ams1 },
    );
    ids.d1 = d.device_create.id;
    expect({ ...d.device_create, id: undefined }).toEqual({
      id: undefined,
      status: 'planned',
      face: 'rear',
      site: { slug: 'ams1' },
      device_type: { model: 'X1' },
      role: { name: 'Leaf' },
    });
    const i = await t.gql(
      `mutation { interface_create(data: {device: {name: "d1", site: {slug: "ams1"}}, name: "eth0", type: TYPE_1000BASE_T, mac_address: "AA-BB-CC-DD-EE-FF", tagged_vlans: []}) { name type enabled mac_address device { id } tagged_vlans { id } } }`,
    );
    expect(i.interface_create).toEqual({ name: 'eth0', type: '1000base-t', enabled: true, mac_address: 'aa:bb:cc:dd:ee:ff', device: { id: ids.d1 }, tagged_vlans: [] });
    const byHfid = await t.gql(`mutation { interface_create(data: {device: {hfid: ["Amsterdam 1", "d1"]}, name: "eth1", type: TYPE_VIRTUAL}) { device { id } } }`);
    expect(byHfid.interface_create.device.id).toBe(ids.d1);
  });

  it('bulk-creates in input order, each item with its own relations', async () => {
    const before = await count('vlan_list');
    const r = await t.gql(`mutation { vlan_bulk_create(data: [
      {vid: 100, name: "v100", site: {slug: "ams1"}, tags: [{slug: "red"}]},
      {vid: 200, name: "v200", tenant: {slug: "bar"}, status: STATUS_RESERVED},
      {vid: 300, name: "v300", tags: [{slug: "red"}, {slug: "green"}]}]) { id vid name status site { slug } tenant { name } tags { slug } } }`);
    const rows = r.vlan_bulk_create.map((x: Record<string, any>) => ({ ...x, id: typeof x.id, tags: slugs(x.tags) }));
    expect(rows).toEqual([
      { id: 'string', vid: 100, name: 'v100', status: 'active', site: { slug: 'ams1' }, tenant: null, tags: ['red'] },
      { id: 'string', vid: 200, name: 'v200', status: 'reserved', site: null, tenant: { name: 'Bar' }, tags: [] },
      { id: 'string', vid: 300, name: 'v300', status: 'active', site: null, tenant: null, tags: ['green', 'red'] },
    ]);
    expect(await count('vlan_list')).toBe(before + 3);
    expect((await t.gql(`mutation { tag_bulk_create(data: []) { id } }`)).tag_bulk_create).toEqual([]);
  });

  it('bulk-creates a batch over 100 rows at once', async () => {
    const d = Array.from({ length: 150 }, (_, i) => ({ prefix: `10.${i}.0.0/16`, status: i % 2 ? 'STATUS_RESERVED' : 'STATUS_ACTIVE' }));
    const r = await t.gql(`mutation($d: [PrefixCreateInput!]!) { prefix_bulk_create(data: $d) { prefix } }`, { d });
    expect(r.prefix_bulk_create.map((x: { prefix: string }) => x.prefix)).toEqual(d.map((x) => x.prefix));
    expect(await count('prefix_list')).toBe(150);
    expect(await count('prefix_list', '{status: STATUS_RESERVED}')).toBe(75);
  });
});

describe('update', () => {
  it('changes only the given fields and keeps created', async () => {
    const before = await t.gql(`query($id: ID!) { site(id: $id) { created last_updated latitude description } }`, { id: ids.ams1 });
    const r = await t.gql(
      `mutation($id: ID!) { site_update(id: $id, data: {status: STATUS_ACTIVE, tenant: {id: "${ids.bar}"}}) {
      id name slug status latitude description tenant { name } tags { slug } created last_updated } }`,
      { id: ids.ams1 },
    );
    const s = r.site_update;
    expect({ ...s, tags: slugs(s.tags), created: undefined, last_updated: undefined }).toEqual({
      id: ids.ams1,
      name: 'Amsterdam 1',
      slug: 'ams1',
      status: 'active',
      latitude: 52.37,
      description: 'first',
      tenant: { name: 'Bar' },
      tags: ['blue', 'red'],
      created: undefined,
      last_updated: undefined,
    });
    expect(s.created).toBe(before.site.created);
    expect(s.last_updated > before.site.last_updated).toBe(true);
  });

  it('replaces to-many lists, clears them with [] and to-one relations with null', async () => {
    const q = `mutation($id: ID!, $d: SiteUpdateInput!) { site_update(id: $id, data: $d) { tenant { name } tags { slug } latitude comments } }`;
    const a = await t.gql(q, { id: ids.ams1, d: { tags: [{ slug: 'green' }] } });
    expect(a.site_update).toMatchObject({ tags: [{ slug: 'green' }], tenant: { name: 'Bar' } });
    const b = await t.gql(q, { id: ids.ams1, d: { tags: [], tenant: null, latitude: null, comments: 'x' } });
    expect(b.site_update).toEqual({ tags: [], tenant: null, latitude: null, comments: 'x' });
    const c = await t.gql(q, { id: ids.ams1, d: { tags: [{ slug: 'red' }, { slug: 'red' }, { name: 'Red' }] } });
    expect(c.site_update.tags).toEqual([{ slug: 'red' }]);
    expect(await count('site_list', '{tags: {slug: {exact: "red"}}}')).toBe(1);
    expect(await count('site_list', '{tags: {slug: {exact: "green"}}}')).toBe(0);
  });
});

describe('upsert', () => {
  it('creates, then updates the same node on the unique constraint (no duplicate)', async () => {
    const a = await t.gql(`mutation { tenant_upsert(data: {name: "Up", slug: "up", comments: "one"}) { id comments } }`);
    const b = await t.gql(`mutation { tenant_upsert(data: {name: "Up", slug: "up", comments: "two"}) { id comments } }`);
    expect(b.tenant_upsert).toEqual({ id: a.tenant_upsert.id, comments: 'two' });
    expect(await count('tenant_list', '{slug: {exact: "up"}}')).toBe(1);
    // any unique attribute identifies the node: the slug finds it, the name changes
    const c = await t.gql(`mutation { tenant_upsert(data: {name: "Up 2", slug: "up"}) { id name } }`);
    expect(c.tenant_upsert).toEqual({ id: a.tenant_upsert.id, name: 'Up 2' });
    expect(await count('tenant_list', '{name: {starts_with: "Up"}}')).toBe(1);
  });

  it('matches a composite constraint given by relation references', async () => {
    const q = `mutation($mtu: Int) { interface_upsert(data: {device: {name: "d1", site: {slug: "ams1"}}, name: "eth9", type: TYPE_1000BASE_T, mtu: $mtu}) { id mtu device { id } } }`;
    const a = await t.gql(q, { mtu: 1500 });
    const b = await t.gql(q, { mtu: 9000 });
    expect(b.interface_upsert).toEqual({ id: a.interface_upsert.id, mtu: 9000, device: { id: ids.d1 } });
    expect(await count('interface_list', `{device_id: "${ids.d1}", name: {exact: "eth9"}}`)).toBe(1);
    const viaId = await t.gql(`mutation($d: ID!) { interface_upsert(data: {device: {id: $d}, name: "eth9", type: TYPE_1000BASE_T, mtu: 1400}) { id mtu } }`, { d: ids.d1 });
    expect(viaId.interface_upsert).toEqual({ id: a.interface_upsert.id, mtu: 1400 });
  });

  it('updates the node named by id', async () => {
    const r = await t.gql(`mutation($id: ID!) { site_upsert(data: {id: $id, name: "Berlin", slug: "ber1", facility: "B"}) { id facility } }`, { id: ids.ber1 });
    expect(r.site_upsert).toEqual({ id: ids.ber1, facility: 'B' });
  });
});

describe('delete', () => {
  it('returns {ok id} and the node is gone', async () => {
    const tag = await t.gql(`mutation { tag_create(data: {name: "Tmp", slug: "tmp"}) { id } }`);
    const before = await count('tag_list');
    const r = await t.gql(`mutation($id: ID!) { tag_delete(id: $id) { ok id } }`, { id: tag.tag_create.id });
    expect(r.tag_delete).toEqual({ ok: true, id: tag.tag_create.id });
    expect(await count('tag_list')).toBe(before - 1);
    const gone = await t.raw(`query($id: ID!) { tag(id: $id) { id } }`, { id: tag.tag_create.id });
    expect(onlyError(gone)).toEqual({ code: 'NODE_NOT_FOUND', message: 'Node not found', path: ['tag'] });
    const twice = await t.raw(`mutation($id: ID!) { tag_delete(id: $id) { ok id } }`, { id: tag.tag_create.id });
    expect(onlyError(twice)).toMatchObject({ code: 'NODE_NOT_FOUND', path: ['tag_delete'] });
  });

  it('cascades to components, and refuses to delete a referenced node', async () => {
    const d = await t.gql(`mutation { device_create(data: {name: "tmp", site: {slug: "ber1"}, role: {slug: "leaf"}, device_type: {slug: "x1"}}) { id } }`);
    await t.gql(
      `mutation($d: ID!) { interface_bulk_create(data: [{device: {id: $d}, name: "a", type: TYPE_VIRTUAL}, {device: {id: $d}, name: "b", type: TYPE_VIRTUAL}]) { id } }`,
      { d: d.device_create.id },
    );
    const protectedSite = await t.raw(`mutation { site_delete(id: "${ids.ber1}") { ok id } }`);
    expect(onlyError(protectedSite)).toMatchObject({ code: 'VALIDATION_ERROR', path: ['site_delete'] });
    expect(await count('site_list', '{slug: {exact: "ber1"}}')).toBe(1);
    expect(await count('interface_list', `{device_id: "${d.device_create.id}"}`)).toBe(2);
    await t.gql(`mutation($d: ID!) { device_delete(id: $d) { ok } }`, { d: d.device_create.id });
    expect(await count('interface_list', `{device_id: "${d.device_create.id}"}`)).toBe(0);
  });
});
