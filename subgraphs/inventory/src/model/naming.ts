// Naming rules shared by storage and GraphQL: snake_case fields and tables, enum value names.

/** `IPAddress` -> `ip_address`, `VLANGroup` -> `vlan_group`, `DeviceType` -> `device_type`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

/** `status` + `active` -> `STATUS_ACTIVE`; `type` + `1000base-t` -> `TYPE_1000BASE_T`. */
export function enumValueName(attribute: string, value: string): string {
  return `${attribute}_${value}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `snake_case` -> `PascalCase` */
export function pascalCase(name: string): string {
  return name
    .split('_')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}
