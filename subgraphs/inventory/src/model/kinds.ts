// The compiled schema: kinds and generics with every derived name (table, GraphQL type, fields,
// enum values) and the cross-kind links (reverse relations, generic implementers). Everything
// downstream (storage, SDL, resolvers) reads this, never the raw files.
import type { AttributeKind, GenericDef, KindDef, SchemaFile } from './definition.ts';
import { enumValueName, pascalCase, snakeCase } from './naming.ts';

export interface Choice {
  value: string;
  label: string;
  /** GraphQL enum value name, e.g. STATUS_ACTIVE */
  enumName: string;
}

export interface Attribute {
  name: string;
  kind: AttributeKind;
  label: string;
  optional: boolean;
  unique: boolean;
  default: unknown;
  choices: Choice[];
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  regex?: string;
  /** built-in attribute every kind has (description, custom_fields) */
  builtin: boolean;
}

export interface Relationship {
  name: string;
  /** kind or generic name */
  peer: string;
  cardinality: 'one' | 'many';
  optional: boolean;
  inverse?: string;
  onDelete: 'protect' | 'cascade' | 'set_null';
  /** true when the peer is a generic: the stored value carries the peer's kind */
  polymorphic: boolean;
  /** to-one: column holding the peer id (`site_id`); to-many: uuid[] column (`tags_ids`) */
  column: string;
  /** to-one polymorphic: column holding the peer kind */
  kindColumn?: string;
}

export interface ReverseRelationship {
  /** field name on this kind (the declared inverse, e.g. `devices`) */
  name: string;
  /** kind that declares the relationship (e.g. DcimDevice) */
  sourceKind: string;
  relationship: Relationship;
}

export interface Kind {
  kind: string;
  namespace: string;
  name: string;
  label: string;
  description?: string;
  table: string;
  /** GraphQL base name (`Site`, or `DcimSite` on collision) for Filter/Order/Input types */
  base: string;
  typeName: string;
  /** singular query field, e.g. `site` */
  field: string;
  listField: string;
  filterName: string;
  orderName: string;
  inherits: string[];
  attributes: Attribute[];
  relationships: Relationship[];
  reverse: ReverseRelationship[];
  /** every relationship of any kind that can point at this kind (with or without an inverse) */
  referrers: { sourceKind: string; relationship: Relationship }[];
  /** sets of attribute/relationship names that identify a node */
  uniqueSets: string[][];
  displayTemplate: string | null;
  orderBy: { field: string; desc: boolean }[];
  /** human-friendly id components (attribute or to-one relation names), or null */
  hfid: string[] | null;
}

export interface Generic {
  name: string;
  label: string;
  typeName: string;
  implementers: string[];
}

export interface CompiledSchema {
  kinds: Map<string, Kind>;
  generics: Map<string, Generic>;
  /** lookup by GraphQL object type name */
  byTypeName: Map<string, Kind>;
}

export class SchemaValidationError extends Error {
  constructor(readonly problems: { file?: string; kind?: string; field?: string; reason: string }[]) {
    super('Invalid schema: ' + problems.map((p) => `${[p.file, p.kind, p.field].filter(Boolean).join(' > ')}: ${p.reason}`).join('; '));
  }
}

/** Field names every kind gets; declared attributes/relationships may not use them. */
export const RESERVED_FIELDS = new Set(['id', 'display', 'class_type', 'created', 'last_updated', 'tags', 'custom_fields', 'changelog', 'hfid', 'AND', 'OR', 'NOT', 'DISTINCT']);

const TAG_KIND = 'ExtrasTag';

export interface SourceFile {
  path: string;
  content: SchemaFile;
}

export function compileSchema(files: SourceFile[]): CompiledSchema {
  const problems: SchemaValidationError['problems'] = [];
  const kinds = new Map<string, Kind>();
  const generics = new Map<string, Generic>();
  const origin = new Map<string, string>();
  const defs = new Map<string, { def: KindDef; namespace: string; file: string }>();

  for (const f of files) {
    for (const g of f.content.generics) {
      const name = f.content.namespace + g.name;
      if (generics.has(name) || defs.has(name)) problems.push({ file: f.path, kind: name, reason: 'declared twice' });
      generics.set(name, compileGeneric(name, g));
      origin.set(name, f.path);
    }
    for (const k of f.content.kinds) {
      const name = f.content.namespace + k.name;
      if (defs.has(name) || generics.has(name)) problems.push({ file: f.path, kind: name, reason: 'declared twice' });
      defs.set(name, { def: k, namespace: f.content.namespace, file: f.path });
    }
  }

  // Names: namespace prefix only where two kinds share a name.
  const nameCount = new Map<string, number>();
  for (const { def } of defs.values()) nameCount.set(def.name, (nameCount.get(def.name) ?? 0) + 1);

  for (const [kindName, { def, namespace, file }] of defs) {
    const collides = (nameCount.get(def.name) ?? 0) > 1;
    const base = collides ? namespace + def.name : def.name;
    const field = def.graphql?.field ?? snakeCase(base);
    const typeName = def.graphql?.type ?? `${base}Type`;
    const attributes = def.attributes.map((a) => compileAttribute(a));
    const seen = new Set<string>();
    for (const a of def.attributes) {
      if (RESERVED_FIELDS.has(a.name)) problems.push({ file, kind: kindName, field: a.name, reason: 'is a reserved field name' });
      if (seen.has(a.name)) problems.push({ file, kind: kindName, field: a.name, reason: 'declared twice' });
      seen.add(a.name);
      if (a.kind === 'Dropdown' && !a.choices?.length) problems.push({ file, kind: kindName, field: a.name, reason: 'Dropdown needs choices' });
      if (a.kind !== 'Dropdown' && a.choices) problems.push({ file, kind: kindName, field: a.name, reason: 'only Dropdown takes choices' });
    }
    if (!seen.has('description')) attributes.push(builtinAttribute('description', 'Text'));
    attributes.push(builtinAttribute('custom_fields', 'JSON'));
    const table = snakeCase(kindName);
    const relationships = def.relationships.map((r) => {
      if (RESERVED_FIELDS.has(r.name) || seen.has(r.name)) problems.push({ file, kind: kindName, field: r.name, reason: 'name already used' });
      seen.add(r.name);
      return compileRelationship(r, generics.has(r.peer));
    });
    if (kindName !== TAG_KIND && defs.has(TAG_KIND)) {
      relationships.push({
        name: 'tags',
        peer: TAG_KIND,
        cardinality: 'many',
        optional: true,
        // deleting a tag removes it from the objects it tags (as in NetBox)
        onDelete: 'set_null',
        polymorphic: false,
        column: 'tags_ids',
      });
    }
    const uniqueSets = [...def.attributes.filter((a) => a.unique).map((a) => [a.name]), ...def.uniqueness_constraints];
    for (const set of def.uniqueness_constraints) {
      for (const n of set) {
        const rel = relationships.find((r) => r.name === n);
        if (!attributes.some((a) => a.name === n) && !(rel && rel.cardinality === 'one'))
          problems.push({ file, kind: kindName, field: n, reason: 'uniqueness constraint names an unknown attribute or to-many relationship' });
      }
    }
    const hasName = attributes.some((a) => a.name === 'name');
    const orderBy = (def.order_by ?? (hasName ? ['name'] : [])).map((o) => (o.startsWith('-') ? { field: o.slice(1), desc: true } : { field: o, desc: false }));
    kinds.set(kindName, {
      kind: kindName,
      namespace,
      name: def.name,
      label: def.label ?? def.name,
      description: def.description,
      table,
      base,
      typeName,
      field,
      listField: `${field}_list`,
      filterName: `${base}Filter`,
      orderName: `${base}Order`,
      inherits: def.inherit_from.map((g) => (generics.has(g) ? g : namespace + g)),
      attributes,
      relationships,
      reverse: [],
      referrers: [],
      uniqueSets,
      displayTemplate: def.display ?? (hasName ? '{name}' : null),
      orderBy,
      hfid: def.human_friendly_id ?? uniqueSets[0] ?? null,
    });
    origin.set(kindName, file);
  }

  // Cross-kind links.
  for (const k of kinds.values()) {
    for (const g of k.inherits) {
      const gen = generics.get(g);
      if (!gen) problems.push({ file: origin.get(k.kind), kind: k.kind, reason: `inherits unknown generic ${g}` });
      else gen.implementers.push(k.kind);
    }
  }
  for (const k of kinds.values()) {
    for (const r of k.relationships) {
      // Resolve namespace-relative peers (`Site` inside Dcim -> DcimSite).
      if (!kinds.has(r.peer) && !generics.has(r.peer)) {
        const qualified = k.namespace + r.peer;
        if (kinds.has(qualified) || generics.has(qualified)) r.peer = qualified;
        r.polymorphic = generics.has(r.peer);
      }
      if (!kinds.has(r.peer) && !generics.has(r.peer)) {
        problems.push({ file: origin.get(k.kind), kind: k.kind, field: r.name, reason: `unknown peer kind ${r.peer}` });
        continue;
      }
      if (r.polymorphic && r.cardinality === 'one') r.kindColumn = `${r.name}_kind`;
      const targets = kinds.has(r.peer) ? [r.peer] : generics.get(r.peer)!.implementers;
      for (const t of targets) kinds.get(t)!.referrers.push({ sourceKind: k.kind, relationship: r });
      if (!r.inverse) continue;
      for (const t of targets) {
        const target = kinds.get(t)!;
        const clash =
          RESERVED_FIELDS.has(r.inverse) ||
          target.attributes.some((a) => a.name === r.inverse) ||
          target.relationships.some((x) => x.name === r.inverse) ||
          target.reverse.some((x) => x.name === r.inverse);
        if (clash) problems.push({ file: origin.get(k.kind), kind: k.kind, field: r.name, reason: `inverse ${r.inverse} clashes on ${t}` });
        else target.reverse.push({ name: r.inverse, sourceKind: k.kind, relationship: r });
      }
    }
  }
  for (const k of kinds.values()) {
    for (const n of k.hfid ?? []) {
      const rel = k.relationships.find((r) => r.name === n);
      const ok = k.attributes.some((a) => a.name === n) || (rel && rel.cardinality === 'one' && !rel.polymorphic && kinds.get(rel.peer)?.hfid);
      if (!ok)
        problems.push({
          file: origin.get(k.kind),
          kind: k.kind,
          field: n,
          reason: 'human_friendly_id names an unknown attribute or a relation whose peer has no human-friendly id',
        });
    }
  }
  const byTypeName = new Map<string, Kind>();
  for (const k of kinds.values()) {
    if (byTypeName.has(k.typeName)) problems.push({ kind: k.kind, reason: `GraphQL type ${k.typeName} is used twice` });
    byTypeName.set(k.typeName, k);
  }
  if (problems.length) throw new SchemaValidationError(problems);
  return { kinds, generics, byTypeName };
}

function compileGeneric(name: string, g: GenericDef): Generic {
  return { name, label: g.label ?? g.name, typeName: g.graphql?.type ?? `${g.name}Type`, implementers: [] };
}

function builtinAttribute(name: string, kind: AttributeKind): Attribute {
  return { name, kind, label: pascalCase(name), optional: true, unique: false, default: undefined, choices: [], builtin: true };
}

function compileAttribute(a: KindDef['attributes'][number]): Attribute {
  return {
    name: a.name,
    kind: a.kind,
    label: a.label ?? pascalCase(a.name),
    optional: a.optional,
    unique: a.unique,
    default: a.default,
    choices: (a.choices ?? []).map((c) => {
      const value = typeof c === 'string' ? c : c.value;
      const label = typeof c === 'string' ? pascalCase(c.replace(/-/g, '_')) : (c.label ?? c.value);
      return { value, label, enumName: enumValueName(a.name, value) };
    }),
    maxLength: a.max_length,
    minValue: a.min_value,
    maxValue: a.max_value,
    regex: a.regex,
    builtin: false,
  };
}

function compileRelationship(r: KindDef['relationships'][number], polymorphic: boolean): Relationship {
  return {
    name: r.name,
    peer: r.peer,
    cardinality: r.cardinality,
    optional: r.optional,
    inverse: r.inverse,
    // to-many references are removed from the list by default, to-one ones protect their peer
    onDelete: r.on_delete ?? (r.cardinality === 'many' ? 'set_null' : 'protect'),
    polymorphic,
    column: r.cardinality === 'one' ? `${r.name}_id` : `${r.name}_ids`,
  };
}
