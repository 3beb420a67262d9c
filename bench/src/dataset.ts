// A generated, realistic data set (sites, racks, devices, interfaces, cables, circuits, VRFs,
// prefixes, VLANs, IPs) loaded through the public bulk mutations. `scale` multiplies the
// default sizes (20 sites, 2,000 devices, 50,000 interfaces) for benchmarks.
type Request = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export interface DatasetSize {
  sites: number;
  devicesPerSite: number;
  interfacesPerDevice: number;
  circuitsPerSite: number;
}

export const DEMO_SIZE: DatasetSize = { sites: 20, devicesPerSite: 100, interfacesPerDevice: 25, circuitsPerSite: 5 };

const BATCH = 1000;

async function bulk(request: Request, field: string, inputType: string, items: Record<string, unknown>[], log?: (m: string) => void): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    const data = await request<Record<string, { id: string }[]>>(`mutation($d: [${inputType}!]!) { ${field}_bulk_create(data: $d) { id } }`, {
      d: items.slice(i, i + BATCH),
    });
    for (const r of data[`${field}_bulk_create`]!) ids.push(r.id);
  }
  log?.(`  ${field}: ${items.length}`);
  return ids;
}

export interface LoadResult {
  counts: Record<string, number>;
  siteIds: string[];
  deviceIds: string[];
}

export async function loadDataset(request: Request, size: DatasetSize = DEMO_SIZE, log?: (m: string) => void): Promise<LoadResult> {
  const counts: Record<string, number> = {};
  const add = async (field: string, type: string, items: Record<string, unknown>[]) => {
    counts[field] = items.length;
    return bulk(request, field, type, items, log);
  };
  await add('tag', 'TagCreateInput', [
    { name: 'Core', slug: 'core', color: 'f44336' },
    { name: 'Edge', slug: 'edge', color: '2196f3' },
    { name: 'Lab', slug: 'lab', color: '4caf50' },
  ]);
  await add('tenant_group', 'TenantGroupCreateInput', [{ name: 'Customers', slug: 'customers' }]);
  await add(
    'tenant',
    'TenantCreateInput',
    ['Acme', 'Globex', 'Initech', 'Umbrella'].map((n) => ({ name: n, slug: n.toLowerCase(), group: { slug: 'customers' } })),
  );
  await add('region', 'RegionCreateInput', [
    { name: 'Europe', slug: 'eu' },
    { name: 'North America', slug: 'na' },
  ]);
  const cities = [
    'Amsterdam',
    'Frankfurt',
    'London',
    'Paris',
    'Madrid',
    'Milan',
    'Stockholm',
    'Warsaw',
    'Dublin',
    'Zurich',
    'New York',
    'Chicago',
    'Dallas',
    'Ashburn',
    'Seattle',
    'Toronto',
    'Denver',
    'Miami',
    'Atlanta',
    'San Jose',
  ];
  const sites = Array.from({ length: size.sites }, (_, i) => {
    const city = cities[i % cities.length]!;
    const n = Math.floor(i / cities.length) + 1;
    return {
      name: `${city} ${n}`,
      slug: `${city.toLowerCase().replace(/\s+/g, '-')}-${n}`,
      status: i % 7 === 6 ? 'planned' : 'active',
      region: { slug: i % cities.length < 10 ? 'eu' : 'na' },
      tenant: { slug: ['acme', 'globex', 'initech', 'umbrella'][i % 4] },
      facility: `DC-${100 + i}`,
      time_zone: i % cities.length < 10 ? 'Europe/Amsterdam' : 'America/New_York',
      tags: [{ slug: i % 2 ? 'edge' : 'core' }],
    };
  });
  const siteIds = await add('site', 'SiteCreateInput', sites);
  await add('manufacturer', 'ManufacturerCreateInput', [
    { name: 'Juniper', slug: 'juniper' },
    { name: 'Arista', slug: 'arista' },
    { name: 'Cisco', slug: 'cisco' },
  ]);
  const models = [
    { manufacturer: { slug: 'juniper' }, model: 'MX204', slug: 'mx204', u_height: 1 },
    { manufacturer: { slug: 'arista' }, model: 'DCS-7050SX3-48YC8', slug: 'dcs-7050sx3', u_height: 1 },
    { manufacturer: { slug: 'cisco' }, model: 'N9K-C93180YC-FX', slug: 'n9k-93180', u_height: 1 },
  ];
  await add('device_type', 'DeviceTypeCreateInput', models);
  await add('device_role', 'DeviceRoleCreateInput', [
    { name: 'Router', slug: 'router', color: 'ff9800' },
    { name: 'Leaf', slug: 'leaf', color: '3f51b5' },
    { name: 'Spine', slug: 'spine', color: '009688' },
  ]);
  await add('platform', 'PlatformCreateInput', [
    { name: 'Junos', slug: 'junos', manufacturer: { slug: 'juniper' } },
    { name: 'EOS', slug: 'eos', manufacturer: { slug: 'arista' } },
    { name: 'NX-OS', slug: 'nxos', manufacturer: { slug: 'cisco' } },
  ]);
  const racks = sites.flatMap((_s, i) =>
    Array.from({ length: Math.max(1, Math.ceil(size.devicesPerSite / 20)) }, (_, r) => ({
      name: `R${String(r + 1).padStart(2, '0')}`,
      site: { id: siteIds[i] },
      status: 'active',
      u_height: 42,
    })),
  );
  await add('rack', 'RackCreateInput', racks);
  const devices: Record<string, unknown>[] = [];
  sites.forEach((s, i) => {
    for (let d = 0; d < size.devicesPerSite; d++) {
      const role = d < 2 ? 'router' : d < 6 ? 'spine' : 'leaf';
      const m = d % 3;
      devices.push({
        name: `${s.slug}-${role}-${String(d + 1).padStart(3, '0')}`,
        site: { id: siteIds[i] },
        device_type: { slug: models[m]!.slug },
        role: { slug: role },
        platform: { slug: ['junos', 'eos', 'nxos'][m] },
        tenant: s.tenant,
        status: d % 50 === 49 ? 'planned' : 'active',
        serial: `SN${i}${String(d).padStart(5, '0')}`,
      });
    }
  });
  const deviceIds = await add('device', 'DeviceCreateInput', devices);
  const interfaces: Record<string, unknown>[] = [];
  deviceIds.forEach((id) => {
    for (let p = 0; p < size.interfacesPerDevice; p++) {
      interfaces.push({ device: { id }, name: p === 0 ? 'mgmt0' : `et-0/0/${p - 1}`, type: p === 0 ? '1000base-t' : '10gbase-x-sfpp', enabled: p % 10 !== 9 });
    }
  });
  const interfaceIds = await add('interface', 'InterfaceCreateInput', interfaces);
  // Cables: the first uplinks of each leaf to the site's spines.
  const cables: Record<string, unknown>[] = [];
  for (let s = 0; s < size.sites; s++) {
    for (let d = 6; d < size.devicesPerSite; d++) {
      const spine = 2 + (d % 4);
      if (spine >= size.devicesPerSite) continue;
      const leafIf = interfaceIds[(s * size.devicesPerSite + d) * size.interfacesPerDevice + 1];
      const spineIf = interfaceIds[(s * size.devicesPerSite + spine) * size.interfacesPerDevice + 1 + Math.floor(d / 4)];
      if (leafIf && spineIf && Math.floor(d / 4) + 1 < size.interfacesPerDevice) {
        cables.push({ a_terminations: [{ id: leafIf }], b_terminations: [{ id: spineIf }], status: 'connected', type: 'smf', label: `C${s}-${d}` });
      }
    }
  }
  await add('cable', 'CableCreateInput', cables);
  await add('provider', 'ProviderCreateInput', [
    { name: 'Lumen', slug: 'lumen' },
    { name: 'Zayo', slug: 'zayo' },
  ]);
  await add('circuit_type', 'CircuitTypeCreateInput', [
    { name: 'Transit', slug: 'transit' },
    { name: 'Dark Fiber', slug: 'dark-fiber' },
  ]);
  const circuits = siteIds.flatMap((_, i) =>
    Array.from({ length: size.circuitsPerSite }, (_, c) => ({
      cid: `CID-${i}-${c}`,
      provider: { slug: c % 2 ? 'zayo' : 'lumen' },
      type: { slug: c % 2 ? 'dark-fiber' : 'transit' },
      status: c === 4 ? 'planned' : 'active',
      commit_rate: 10_000,
    })),
  );
  const circuitIds = await add('circuit', 'CircuitCreateInput', circuits);
  await add(
    'circuit_termination',
    'CircuitTerminationCreateInput',
    circuitIds.map((id, i) => ({ circuit: { id }, term_side: 'A', site: { id: siteIds[Math.floor(i / size.circuitsPerSite)] }, port_speed: 10_000_000 })),
  );
  const [mgmtVrf] = await add('vrf', 'VRFCreateInput', [
    { name: 'global-mgmt', rd: '65000:1' },
    { name: 'customer', rd: '65000:2' },
  ]);
  const prefixes: Record<string, unknown>[] = [{ prefix: '10.0.0.0/8', status: 'container' }];
  siteIds.forEach((id, i) => {
    prefixes.push({ prefix: `10.${i}.0.0/16`, status: 'container', site: { id } });
    for (let p = 0; p < 4; p++) prefixes.push({ prefix: `10.${i}.${p}.0/24`, status: 'active', site: { id }, vrf: { id: mgmtVrf } });
  });
  await add('prefix', 'PrefixCreateInput', prefixes);
  await add(
    'vlan',
    'VLANCreateInput',
    siteIds.flatMap((id, i) => [100, 200, 300].map((vid) => ({ vid, name: `vlan${vid}-${i}`, site: { id }, status: 'active' }))),
  );
  // Management IPs on every device's mgmt0.
  const ips = deviceIds.map((_, d) => {
    const s = Math.floor(d / size.devicesPerSite);
    const n = d % size.devicesPerSite;
    return {
      address: `10.${s}.${Math.floor(n / 250)}.${(n % 250) + 1}/24`,
      status: 'active',
      vrf: { id: mgmtVrf },
      assigned_object: { id: interfaceIds[d * size.interfacesPerDevice] },
      dns_name: `mgmt.${String(devices[d]!.name)}.example.net`,
    };
  });
  await add('ip_address', 'IPAddressCreateInput', ips);
  return { counts, siteIds, deviceIds };
}
