// Generates the inventory subgraph SDL from the compiled kind schema: object types, unions for
// generics, filters, order and input types, list wrappers, queries and mutations (docs/api.md#queries).
import { DATETIME_SCALAR_SDL, JSON_SCALAR_SDL, PAGINATION_SDL } from '@strata/shared';
import type { AttributeKind } from '../model/definition.ts';
import type { Attribute, CompiledSchema, Kind, Relationship } from '../model/kinds.ts';

const FEDERATION = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])`;

const COMMON = `
${DATETIME_SCALAR_SDL}
${JSON_SCALAR_SDL}
"A choice of a Dropdown attribute: its enum name (STATUS_ACTIVE) or its value (active)"
scalar Choice
"Filter on a Dropdown attribute: an enum name (STATUS_ACTIVE), or a lookup {exact: STATUS_ACTIVE} / {in_list: [...]} / {is_null: true}"
scalar ChoiceFilterLookup

"Any node of the inventory: every kind implements it. Other subgraphs add fields to every kind through it."
interface Node @key(fields: "id") {
  id: ID!
}

${PAGINATION_SDL}

enum Ordering {
  ASC
  DESC
}

type DeleteResult {
  ok: Boolean!
  id: ID!
}

input StrFilterLookup {
  exact: String
  n_exact: String
  i_exact: String
  contains: String
  i_contains: String
  starts_with: String
  i_starts_with: String
  ends_with: String
  i_ends_with: String
  regex: String
  i_regex: String
  in_list: [String!]
  is_null: Boolean
}

input IntRangeLookup {
  start: Int
  end: Int
}

input IntFilterLookup {
  exact: Int
  gt: Int
  gte: Int
  lt: Int
  lte: Int
  range: IntRangeLookup
  in_list: [Int!]
  is_null: Boolean
}

input FloatRangeLookup {
  start: Float
  end: Float
}

input FloatFilterLookup {
  exact: Float
  gt: Float
  gte: Float
  lt: Float
  lte: Float
  range: FloatRangeLookup
  in_list: [Float!]
  is_null: Boolean
}

input DatetimeRangeLookup {
  start: DateTime
  end: DateTime
}

input DatetimeFilterLookup {
  exact: DateTime
  gt: DateTime
  gte: DateTime
  lt: DateTime
  lte: DateTime
  range: DatetimeRangeLookup
  in_list: [DateTime!]
  is_null: Boolean
}

input DateRangeLookup {
  start: String
  end: String
}

input DateFilterLookup {
  exact: String
  gt: String
  gte: String
  lt: String
  lte: String
  range: DateRangeLookup
  in_list: [String!]
  is_null: Boolean
}

input BoolFilterLookup {
  exact: Boolean
  is_null: Boolean
}

input IDFilterLookup {
  exact: ID
  in_list: [ID!]
  is_null: Boolean
}

"IP address/network lookups; containment uses Postgres inet operators backed by a GiST index"
input InetFilterLookup {
  exact: String
  in_list: [String!]
  is_null: Boolean
  net_contains: String
  net_contains_or_equals: String
  net_contained: String
  net_contained_or_equal: String
  family: Int
}

"A reference to a node of a polymorphic relation"
input NodeRefInput {
  id: ID!
}

input NodeRefFilter {
  id: IDFilterLookup
}
`;

const SCHEMA_API = `
type AttributeDefinitionType {
  name: String!
  kind: String!
  label: String!
  optional: Boolean!
  unique: Boolean!
  default_value: JSON
  choices: [String!]!
}

type RelationshipDefinitionType {
  name: String!
  peer: String!
  cardinality: String!
  optional: Boolean!
  inverse: String
}

type KindDefinitionType {
  "the kind, e.g. DcimSite"
  kind: String!
  namespace: String!
  name: String!
  label: String!
  description: String
  graphql_type: String!
  query_field: String!
  inherit_from: [String!]!
  uniqueness_constraints: [[String!]!]!
  attributes: [AttributeDefinitionType!]!
  relationships: [RelationshipDefinitionType!]!
}

type SchemaLoadResult {
  "sha-256 of the schema in force after the load"
  hash: String!
  changed: Boolean!
  kinds: [String!]!
}
`;

function outputScalar(kind: AttributeKind): string {
  switch (kind) {
    case 'Number':
      return 'Int';
    case 'Float':
      return 'Float';
    case 'Boolean':
      return 'Boolean';
    case 'DateTime':
      return 'DateTime';
    case 'JSON':
      return 'JSON';
    case 'ListNumber':
      return '[Int!]';
    case 'ListText':
      return '[String!]';
    default:
      return 'String';
  }
}

function inputScalar(kind: AttributeKind): string {
  return kind === 'Dropdown' ? 'Choice' : outputScalar(kind);
}

function filterLookup(attr: Attribute): string | null {
  switch (attr.kind) {
    case 'Number':
      return 'IntFilterLookup';
    case 'Float':
      return 'FloatFilterLookup';
    case 'Boolean':
      return 'BoolFilterLookup';
    case 'DateTime':
      return 'DatetimeFilterLookup';
    case 'Date':
      return 'DateFilterLookup';
    case 'Dropdown':
      return 'ChoiceFilterLookup';
    case 'IPHost':
    case 'IPNetwork':
      return 'InetFilterLookup';
    case 'JSON':
    case 'ListNumber':
    case 'ListText':
      return null;
    default:
      return 'StrFilterLookup';
  }
}

/** optimistic precondition of _update, _upsert and _delete (docs/api.md#mutations) */
const IF_LAST_UPDATED = 'if_last_updated: DateTime';

const desc = (text: string | undefined, indent = '  ') => (text ? `${indent}${JSON.stringify(text)}\n` : '');

export function peerTypeName(schema: CompiledSchema, rel: Relationship): string {
  return schema.kinds.get(rel.peer)?.typeName ?? schema.generics.get(rel.peer)!.typeName;
}

function listArgs(schema: CompiledSchema, kindName: string): string {
  const k = schema.kinds.get(kindName);
  if (!k) return '(pagination: OffsetPaginationInput)';
  return `(filters: ${k.filterName}, pagination: OffsetPaginationInput, order: ${k.orderName})`;
}

function objectType(schema: CompiledSchema, k: Kind): string {
  const lines = [
    '  id: ID!',
    '  "human-friendly label"\n  display: String!',
    '  "the kind\'s name, e.g. Site"\n  class_type: String!',
    '  "human-friendly id, e.g. [\\"ams1-leaf-001\\", \\"et-0/0/1\\"]; usable as a reference: {hfid: [...]}"\n  hfid: [String!]',
    '  created: DateTime',
    '  last_updated: DateTime',
  ];
  for (const a of k.attributes) {
    const t = outputScalar(a.kind);
    lines.push(
      `${desc(a.kind === 'Dropdown' ? `${a.label}: one of ${a.choices.map((c) => c.value).join(', ')}` : undefined)}  ${a.name}: ${t}${!a.optional && a.kind !== 'JSON' ? '!' : ''}`,
    );
  }
  for (const r of k.relationships) {
    const peer = peerTypeName(schema, r);
    if (r.cardinality === 'one') {
      lines.push(`  ${r.name}: ${peer}`);
    } else {
      lines.push(`  ${r.name}${r.polymorphic ? '(pagination: OffsetPaginationInput)' : listArgs(schema, r.peer)}: [${peer}!]!`);
    }
  }
  for (const rev of k.reverse) {
    const src = schema.kinds.get(rev.sourceKind)!;
    lines.push(`  ${rev.name}${listArgs(schema, rev.sourceKind)}: [${src.typeName}!]!`);
  }
  return `${desc(k.description, '')}type ${k.typeName} implements Node @key(fields: "id") {\n${lines.join('\n')}\n}`;
}

function filterType(schema: CompiledSchema, k: Kind): string {
  const lines = ['  id: IDFilterLookup', '  created: DatetimeFilterLookup', '  last_updated: DatetimeFilterLookup'];
  for (const a of k.attributes) {
    const l = filterLookup(a);
    if (l) lines.push(`  ${a.name}: ${l}`);
  }
  for (const r of k.relationships) {
    if (r.polymorphic) lines.push(`  ${r.name}: NodeRefFilter`);
    else lines.push(`  ${r.name}: ${schema.kinds.get(r.peer)!.filterName}`);
    if (r.cardinality === 'one') lines.push(`  ${r.column}: ID`);
  }
  for (const rev of k.reverse) lines.push(`  ${rev.name}: ${schema.kinds.get(rev.sourceKind)!.filterName}`);
  lines.push(`  AND: ${k.filterName}`, `  OR: ${k.filterName}`, `  NOT: ${k.filterName}`, '  DISTINCT: Boolean');
  return `input ${k.filterName} {\n${lines.join('\n')}\n}`;
}

function orderType(k: Kind): string {
  const lines = ['  id: Ordering', '  created: Ordering', '  last_updated: Ordering'];
  for (const a of k.attributes) if (filterLookup(a)) lines.push(`  ${a.name}: Ordering`);
  for (const r of k.relationships) if (r.cardinality === 'one') lines.push(`  ${r.name}: Ordering`);
  return `input ${k.orderName} {\n${lines.join('\n')}\n}`;
}

function refInputName(schema: CompiledSchema, rel: Relationship): string {
  return rel.polymorphic ? 'NodeRefInput' : `${schema.kinds.get(rel.peer)!.base}RefInput`;
}

function refInput(schema: CompiledSchema, k: Kind): string {
  const lines = ['  id: ID', '  hfid: [String!]'];
  const names = new Set(k.uniqueSets.flat());
  for (const n of names) {
    const a = k.attributes.find((x) => x.name === n);
    if (a) lines.push(`  ${a.name}: ${inputScalar(a.kind)}`);
    const r = k.relationships.find((x) => x.name === n && x.cardinality === 'one');
    if (r) lines.push(`  ${r.name}: ${refInputName(schema, r)}`);
  }
  return `"A reference to one ${k.name}: its id or a unique attribute set"\ninput ${k.base}RefInput {\n${lines.join('\n')}\n}`;
}

function dataInput(schema: CompiledSchema, k: Kind, suffix: 'CreateInput' | 'UpdateInput'): string {
  // Everything is nullable here: required fields are checked by the resolver so that a missing
  // one is a VALIDATION_ERROR naming the field, like every other validation problem.
  const lines: string[] = [];
  if (suffix === 'CreateInput') lines.push('  "upsert only: match on this id"\n  id: ID');
  for (const a of k.attributes) lines.push(`  ${a.name}: ${inputScalar(a.kind)}`);
  for (const r of k.relationships) {
    const t = refInputName(schema, r);
    lines.push(`  ${r.name}: ${r.cardinality === 'one' ? t : `[${t}!]`}`);
  }
  return `input ${k.base}${suffix} {\n${lines.join('\n')}\n}`;
}

function enumTypes(k: Kind): string[] {
  return k.attributes
    .filter((a) => a.kind === 'Dropdown')
    .map(
      (a) =>
        `"Choices of ${k.name}.${a.name} (use the name or the value where a Choice is expected)"\nenum ${k.base}${a.name
          .split('_')
          .map((p) => p[0]!.toUpperCase() + p.slice(1))
          .join('')}Enum {\n${a.choices.map((c) => `  ${c.enumName}`).join('\n')}\n}`,
    );
}

/** The full subgraph SDL for a compiled schema. */
export function buildSdl(schema: CompiledSchema): string {
  const kinds = [...schema.kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  const parts = [FEDERATION, COMMON];
  for (const g of [...schema.generics.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const members = g.implementers.map((n) => schema.kinds.get(n)!.typeName).sort();
    if (members.length) parts.push(`union ${g.typeName} = ${members.join(' | ')}`);
  }
  const query: string[] = [];
  const mutation: string[] = [];
  for (const k of kinds) {
    parts.push(objectType(schema, k));
    parts.push(`type ${k.typeName}OffsetPaginated {\n  results: [${k.typeName}!]!\n  total_count: Int!\n  page_info: OffsetPaginationInfo!\n}`);
    parts.push(filterType(schema, k), orderType(k), refInput(schema, k), dataInput(schema, k, 'CreateInput'), dataInput(schema, k, 'UpdateInput'), ...enumTypes(k));
    query.push(`  ${k.field}(id: ID!): ${k.typeName}!`);
    query.push(`  ${k.listField}(filters: ${k.filterName}, pagination: OffsetPaginationInput, order: ${k.orderName}): ${k.typeName}OffsetPaginated!`);
    mutation.push(`  ${k.field}_create(data: ${k.base}CreateInput!): ${k.typeName}!`);
    mutation.push(`  ${k.field}_update(id: ID!, data: ${k.base}UpdateInput!, ${IF_LAST_UPDATED}): ${k.typeName}!`);
    mutation.push(`  ${k.field}_upsert(data: ${k.base}CreateInput!, ${IF_LAST_UPDATED}): ${k.typeName}!`);
    mutation.push(`  ${k.field}_delete(id: ID!, ${IF_LAST_UPDATED}): DeleteResult!`);
    mutation.push(`  ${k.field}_bulk_create(data: [${k.base}CreateInput!]!): [${k.typeName}!]!`);
  }
  parts.push(SCHEMA_API);
  query.push('  "the kinds in force (what /api/schema returns)"\n  kind_list: [KindDefinitionType!]!');
  query.push('  kind_definition(name: String!): KindDefinitionType!');
  mutation.push('  "load schema files (YAML text or parsed documents); admins only"\n  schema_load(schemas: [JSON!]!): SchemaLoadResult!');
  parts.push(`type Query {\n${query.join('\n')}\n}`);
  parts.push(`type Mutation {\n${mutation.join('\n')}\n}`);
  return `${parts.join('\n\n')}\n`;
}
