// The built-in kind schema (subgraphs/inventory/kinds/*.yml): NetBox 4.x kinds with NetBox's
// GraphQL names, reverse relations, choice values and polymorphic relations, and an SDL that
// builds as a federation subgraph. No database needed.
import { createRequire } from 'node:module';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLNamedType, GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledSchema, Kind } from '../src/model/kinds.ts';
import { loadBuiltinSchema } from '../src/model/load.ts';
import { buildSdl } from '../src/schema/sdl.ts';

// The CommonJS build of graphql, the one @apollo/subgraph uses: its type checks (instanceof)
// refuse schema objects from the ESM build that vitest would load for a plain import.
const { isEnumType, isObjectType, isUnionType, parse, validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

let schema: CompiledSchema;
let gql: GraphQLSchema;

beforeAll(async () => {
  ({ schema } = await loadBuiltinSchema());
  gql = buildSubgraphSchema({ typeDefs: parse(buildSdl(schema)), resolvers: {} });
});

const kind = (name: string): Kind => {
  const k = schema.kinds.get(name);
  if (!k) throw new Error(`kind ${name} is missing`);
  return k;
};
const type = (name: string): GraphQLNamedType => {
  const t = gql.getType(name);
  if (!t) throw new Error(`GraphQL type ${name} is missing`);
  return t;
};
const fieldsOf = (typeName: string): string[] => {
  const t = type(typeName);
  if (!isObjectType(t)) throw new Error(`${typeName} is not an object type`);
  return Object.keys(t.getFields());
};

// kind -> [GraphQL object type, singular query field]
const KINDS: Record<string, [string, string]> = {
  TenancyTenantGroup: ['TenantGroupType', 'tenant_group'],
  TenancyTenant: ['TenantType', 'tenant'],
  DcimRegion: ['RegionType', 'region'],
  DcimSiteGroup: ['SiteGroupType', 'site_group'],
  DcimSite: ['SiteType', 'site'],
  DcimLocation: ['LocationType', 'location'],
  DcimRack: ['RackType', 'rack'],
  DcimManufacturer: ['ManufacturerType', 'manufacturer'],
  DcimDeviceType: ['DeviceTypeType', 'device_type'],
  DcimDeviceRole: ['DeviceRoleType', 'device_role'],
  DcimPlatform: ['PlatformType', 'platform'],
  DcimDevice: ['DeviceType', 'device'],
  DcimInterface: ['InterfaceType', 'interface'],
  DcimConsolePort: ['ConsolePortType', 'console_port'],
  DcimConsoleServerPort: ['ConsoleServerPortType', 'console_server_port'],
  DcimFrontPort: ['FrontPortType', 'front_port'],
  DcimRearPort: ['RearPortType', 'rear_port'],
  DcimPowerPort: ['PowerPortType', 'power_port'],
  DcimPowerOutlet: ['PowerOutletType', 'power_outlet'],
  DcimCable: ['CableType', 'cable'],
  CircuitsProvider: ['ProviderType', 'provider'],
  CircuitsCircuitType: ['CircuitTypeType', 'circuit_type'],
  CircuitsCircuit: ['CircuitType', 'circuit'],
  CircuitsCircuitTermination: ['CircuitTerminationType', 'circuit_termination'],
  IpamVRF: ['VRFType', 'vrf'],
  IpamPrefix: ['PrefixType', 'prefix'],
  IpamIPAddress: ['IPAddressType', 'ip_address'],
  IpamVLANGroup: ['VLANGroupType', 'vlan_group'],
  IpamVLAN: ['VLANType', 'vlan'],
  ExtrasTag: ['TagType', 'tag'],
};

// reverse relations NetBox users rely on: GraphQL type -> fields
const REVERSE: Record<string, string[]> = {
  SiteType: ['devices', 'locations', 'racks', 'prefixes', 'vlans', 'circuit_terminations'],
  LocationType: ['devices'],
  RackType: ['devices'],
  DeviceType: ['interfaces', 'consoleports', 'consoleserverports', 'frontports', 'rearports', 'powerports', 'poweroutlets'],
  CircuitType: ['terminations'],
  ProviderType: ['circuits'],
  TenantType: ['sites', 'devices', 'circuits', 'prefixes', 'ip_addresses', 'vlans', 'vrfs'],
  InterfaceType: ['ip_addresses'],
  VRFType: ['prefixes', 'ip_addresses'],
  VLANGroupType: ['vlans'],
  ManufacturerType: ['device_types', 'platforms'],
  DeviceTypeType: ['instances'],
  DeviceRoleType: ['devices'],
  PlatformType: ['devices'],
  RegionType: ['sites'],
  SiteGroupType: ['sites'],
  TenantGroupType: ['tenants'],
};

const CABLE_TERMINATIONS = [
  'InterfaceType',
  'ConsolePortType',
  'ConsoleServerPortType',
  'FrontPortType',
  'RearPortType',
  'PowerPortType',
  'PowerOutletType',
  'CircuitTerminationType',
];

describe('built-in kinds', () => {
  it.each(Object.entries(KINDS))('%s is served as %s', (name, [typeName, field]) => {
    const k = kind(name);
    expect(k.typeName).toBe(typeName);
    expect(k.field).toBe(field);
    expect(k.listField).toBe(`${field}_list`);
    const query = gql.getQueryType()!.getFields();
    expect(query[field]?.type.toString()).toBe(`${typeName}!`);
    expect(query[`${field}_list`]?.type.toString()).toBe(`${typeName}OffsetPaginated!`);
    expect(fieldsOf(typeName)).toEqual(expect.arrayContaining(['id', 'display', 'class_type', 'created', 'last_updated', 'description', 'custom_fields']));
    if (name !== 'ExtrasTag') expect(fieldsOf(typeName)).toContain('tags');
    expect(gql.getMutationType()!.getFields()[`${field}_create`]).toBeDefined();
  });

  it('keeps NetBox apart from the Device/DeviceType and Circuit/CircuitType name clash', () => {
    expect(kind('DcimDevice').typeName).toBe('DeviceType');
    expect(kind('DcimDeviceType').typeName).toBe('DeviceTypeType');
    expect(fieldsOf('DeviceType')).toEqual(expect.arrayContaining(['name', 'device_type', 'role', 'site', 'rack', 'serial', 'status']));
    expect(fieldsOf('DeviceTypeType')).toEqual(expect.arrayContaining(['model', 'manufacturer', 'u_height', 'instances']));
    expect(fieldsOf('CircuitType')).toEqual(expect.arrayContaining(['cid', 'provider', 'type', 'status']));
    expect(String((type('CircuitType') as any).getFields().type.type)).toBe('CircuitTypeType');
    const query = gql.getQueryType()!.getFields();
    for (const f of ['device_type', 'device_type_list', 'ip_address', 'vlan_group_list', 'circuit_termination', 'console_server_port_list']) {
      expect(query[f], f).toBeDefined();
    }
  });

  it('gives every kind its own GraphQL names', () => {
    const names = [...schema.kinds.values()].flatMap((k) => [k.typeName, k.filterName, k.orderName, `${k.typeName}OffsetPaginated`]);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(Object.entries(REVERSE))('%s has the reverse relations NetBox users rely on', (typeName, fields) => {
    expect(fieldsOf(typeName)).toEqual(expect.arrayContaining(fields));
  });

  it('uses NetBox field names on the main kinds', () => {
    expect(fieldsOf('InterfaceType')).toEqual(
      expect.arrayContaining([
        'name',
        'label',
        'type',
        'enabled',
        'mtu',
        'mac_address',
        'mgmt_only',
        'mode',
        'lag',
        'parent',
        'untagged_vlan',
        'tagged_vlans',
        'vrf',
        'device',
        'mark_connected',
      ]),
    );
    expect(fieldsOf('IPAddressType')).toEqual(expect.arrayContaining(['address', 'vrf', 'tenant', 'status', 'role', 'assigned_object', 'dns_name', 'nat_inside', 'nat_outside']));
    expect(fieldsOf('PrefixType')).toEqual(expect.arrayContaining(['prefix', 'site', 'vrf', 'tenant', 'vlan', 'status', 'role', 'is_pool', 'mark_utilized']));
    expect(fieldsOf('VLANType')).toEqual(expect.arrayContaining(['vid', 'name', 'site', 'group', 'tenant', 'status', 'role']));
    expect(fieldsOf('CableType')).toEqual(expect.arrayContaining(['type', 'status', 'tenant', 'label', 'color', 'length', 'length_unit', 'a_terminations', 'b_terminations']));
    expect(fieldsOf('RackType')).toEqual(expect.arrayContaining(['name', 'facility_id', 'site', 'location', 'status', 'form_factor', 'width', 'u_height']));
    expect(fieldsOf('CircuitTerminationType')).toEqual(expect.arrayContaining(['circuit', 'term_side', 'site', 'port_speed', 'upstream_speed', 'xconnect_id', 'pp_info']));
    expect(kind('IpamIPAddress').attributes.find((a) => a.name === 'address')?.kind).toBe('IPHost');
    expect(kind('IpamPrefix').attributes.find((a) => a.name === 'prefix')?.kind).toBe('IPNetwork');
    expect(kind('DcimDevice').attributes.find((a) => a.name === 'name')?.optional).toBe(true);
  });

  it('makes cable terminations and IP assignment polymorphic', () => {
    const terminations = type('CableTerminationTerminationType');
    expect(isUnionType(terminations)).toBe(true);
    expect(
      (terminations as any)
        .getTypes()
        .map((t: GraphQLNamedType) => t.name)
        .sort(),
    ).toEqual([...CABLE_TERMINATIONS].sort());
    const cable = type('CableType') as any;
    expect(String(cable.getFields().a_terminations.type)).toBe('[CableTerminationTerminationType!]!');
    expect(String(cable.getFields().b_terminations.type)).toBe('[CableTerminationTerminationType!]!');
    const a = kind('DcimCable').relationships.find((r) => r.name === 'a_terminations')!;
    expect(a).toMatchObject({ peer: 'DcimCableTermination', cardinality: 'many', polymorphic: true });
    // circuits' kind implements the dcim generic across namespaces
    expect(kind('CircuitsCircuitTermination').inherits).toContain('DcimCableTermination');

    const assignment = type('IPAddressAssignmentType');
    expect(isUnionType(assignment)).toBe(true);
    expect((assignment as any).getTypes().map((t: GraphQLNamedType) => t.name)).toEqual(['InterfaceType']);
    expect(String((type('IPAddressType') as any).getFields().assigned_object.type)).toBe('IPAddressAssignmentType');
    expect(kind('IpamIPAddress').relationships.find((r) => r.name === 'assigned_object')).toMatchObject({
      peer: 'IpamIPAddressAssignable',
      cardinality: 'one',
      polymorphic: true,
      kindColumn: 'assigned_object_kind',
    });
  });

  it('accepts the NetBox queries over polymorphic relations', () => {
    const doc = parse(`{
      cable_list { results { id label a_terminations { ... on InterfaceType { id class_type device { name } } ... on CircuitTerminationType { id term_side } } b_terminations { ... on FrontPortType { id } } } }
      ip_address_list(filters: {status: STATUS_ACTIVE}) { results { address assigned_object { ... on InterfaceType { name device { name } } } } }
      device_list { results { name device_type { model manufacturer { name } } role { name } interfaces { name ip_addresses { address } } } }
      site_list { results { devices { name } circuit_terminations { circuit { cid } } vlan_groups { name } } }
    }`);
    expect(validate(gql, doc)).toEqual([]);
  });

  it('uses the uniqueness constraints NetBox has', () => {
    const sets = (name: string) => kind(name).uniqueSets;
    for (const name of [
      'DcimSite',
      'DcimManufacturer',
      'DcimDeviceRole',
      'DcimPlatform',
      'DcimRegion',
      'DcimSiteGroup',
      'CircuitsProvider',
      'CircuitsCircuitType',
      'TenancyTenantGroup',
      'TenancyTenant',
      'ExtrasTag',
    ]) {
      expect(sets(name), name).toEqual(expect.arrayContaining([['name'], ['slug']]));
    }
    expect(sets('DcimDevice')).toEqual([['site', 'name']]);
    for (const name of ['DcimInterface', 'DcimConsolePort', 'DcimConsoleServerPort', 'DcimFrontPort', 'DcimRearPort', 'DcimPowerPort', 'DcimPowerOutlet']) {
      expect(sets(name), name).toContainEqual(['device', 'name']);
    }
    expect(sets('DcimDeviceType')).toEqual([
      ['manufacturer', 'model'],
      ['manufacturer', 'slug'],
    ]);
    expect(sets('CircuitsCircuit')).toEqual([['provider', 'cid']]);
    expect(sets('IpamVLAN')).toContainEqual(['group', 'vid']);
    expect(sets('IpamVLANGroup')).toContainEqual(['slug']);
    expect(sets('IpamPrefix')).toEqual([]);
    expect(sets('IpamIPAddress')).toEqual([]);
  });

  it('uses NetBox display templates', () => {
    const display = (name: string) => kind(name).displayTemplate;
    expect(display('DcimDevice')).toBe('{name}');
    expect(display('DcimInterface')).toBe('{name}');
    expect(display('DcimDeviceType')).toBe('{model}');
    expect(display('CircuitsCircuit')).toBe('{cid}');
    expect(display('IpamIPAddress')).toBe('{address}');
    expect(display('IpamPrefix')).toBe('{prefix}');
    expect(display('DcimCable')).toBe('{label}');
  });
});

describe('NetBox choice values', () => {
  const values = (kindName: string, attr: string) =>
    kind(kindName)
      .attributes.find((a) => a.name === attr)!
      .choices.map((c) => c.value);
  const enumValues = (enumName: string) => {
    const t = type(enumName);
    if (!isEnumType(t)) throw new Error(`${enumName} is not an enum`);
    return t.getValues().map((v) => v.name);
  };

  it('has the status choices of NetBox', () => {
    expect(values('DcimDevice', 'status')).toEqual(['offline', 'active', 'planned', 'staged', 'failed', 'inventory', 'decommissioning']);
    expect(values('DcimSite', 'status')).toEqual(['planned', 'staging', 'active', 'decommissioning', 'retired']);
    expect(values('DcimRack', 'status')).toEqual(['reserved', 'available', 'planned', 'active', 'deprecated']);
    expect(values('CircuitsCircuit', 'status')).toEqual(['planned', 'provisioning', 'active', 'offline', 'deprovisioning', 'decommissioned']);
    expect(values('IpamPrefix', 'status')).toEqual(['container', 'active', 'reserved', 'deprecated']);
    expect(values('IpamIPAddress', 'status')).toEqual(['active', 'reserved', 'deprecated', 'dhcp', 'slaac']);
    expect(values('IpamIPAddress', 'role')).toEqual(['loopback', 'secondary', 'anycast', 'vip', 'vrrp', 'hsrp', 'glbp', 'carp']);
    expect(values('IpamVLAN', 'status')).toEqual(['active', 'reserved', 'deprecated']);
    expect(values('DcimCable', 'status')).toEqual(['connected', 'planned', 'decommissioning']);
    expect(values('CircuitsCircuitTermination', 'term_side')).toEqual(['A', 'Z']);
  });

  it('has a representative set of type choices', () => {
    const iface = values('DcimInterface', 'type');
    expect(iface.length).toBeGreaterThanOrEqual(25);
    expect(iface).toEqual(
      expect.arrayContaining([
        'virtual',
        'bridge',
        'lag',
        '100base-tx',
        '1000base-t',
        '2.5gbase-t',
        '5gbase-t',
        '10gbase-t',
        '10gbase-x-sfpp',
        '25gbase-x-sfp28',
        '40gbase-x-qsfpp',
        '100gbase-x-qsfp28',
        '400gbase-x-qsfpdd',
        'ieee802.11ax',
        'other',
      ]),
    );
    expect(values('DcimConsolePort', 'type')).toEqual(expect.arrayContaining(['de-9', 'rj-45', 'usb-c', 'other']));
    expect(values('DcimConsoleServerPort', 'type')).toEqual(values('DcimConsolePort', 'type'));
    expect(values('DcimPowerPort', 'type')).toEqual(expect.arrayContaining(['iec-60320-c14', 'iec-60320-c20', 'nema-5-15p', 'nema-l6-30p', 'hardwired']));
    expect(values('DcimPowerOutlet', 'type')).toEqual(expect.arrayContaining(['iec-60320-c13', 'iec-60320-c19', 'nema-5-15r']));
    expect(values('DcimFrontPort', 'type')).toEqual(expect.arrayContaining(['8p8c', 'lc', 'lc-apc', 'mpo', 'sc', 'splice']));
    expect(values('DcimRearPort', 'type')).toEqual(values('DcimFrontPort', 'type'));
    expect(values('DcimCable', 'type')).toEqual(expect.arrayContaining(['cat5e', 'cat6', 'dac-passive', 'mmf-om4', 'smf-os2', 'aoc', 'power']));
    expect(values('DcimRack', 'form_factor')).toEqual(expect.arrayContaining(['2-post-frame', '4-post-frame', '4-post-cabinet', 'wall-frame', 'wall-cabinet']));
    expect(values('DcimInterface', 'mode')).toEqual(expect.arrayContaining(['access', 'tagged', 'tagged-all']));
  });

  it('produces the contract enum names', () => {
    expect(enumValues('DeviceStatusEnum')).toContain('STATUS_ACTIVE');
    expect(enumValues('InterfaceTypeEnum')).toEqual(expect.arrayContaining(['TYPE_1000BASE_T', 'TYPE_2_5GBASE_T', 'TYPE_10GBASE_X_SFPP', 'TYPE_IEEE802_11AX']));
    expect(enumValues('CableStatusEnum')).toEqual(['STATUS_CONNECTED', 'STATUS_PLANNED', 'STATUS_DECOMMISSIONING']);
    expect(enumValues('PrefixStatusEnum')).toContain('STATUS_CONTAINER');
    expect(enumValues('IPAddressStatusEnum')).toContain('STATUS_SLAAC');
    expect(enumValues('CircuitTerminationTermSideEnum')).toEqual(['TERM_SIDE_A', 'TERM_SIDE_Z']);
  });

  it('has no two choices of one attribute with the same enum name, and valid defaults', () => {
    for (const k of schema.kinds.values()) {
      for (const a of k.attributes.filter((x) => x.kind === 'Dropdown')) {
        const names = a.choices.map((c) => c.enumName);
        expect(new Set(names).size, `${k.kind}.${a.name}`).toBe(names.length);
        if (a.default !== undefined)
          expect(
            a.choices.map((c) => c.value),
            `${k.kind}.${a.name} default`,
          ).toContain(a.default);
      }
    }
  });
});
