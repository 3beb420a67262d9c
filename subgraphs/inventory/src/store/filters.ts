// Compiles NetBox v2 filter inputs (lookups, AND/OR/NOT, related filters) into one SQL boolean
// expression over a visible-rows alias. No filtering happens in JS.
import { errors } from '@strata/shared';
import type { Attribute, CompiledSchema, Kind, Relationship } from '../model/kinds.ts';
import { normalizeChoice } from './values.ts';
import { type ReadScope, visibleRows } from './scope.ts';
import { likeEscape, Params, q } from './sql.ts';

export type FilterInput = Record<string, unknown>;

interface Ctx {
  schema: CompiledSchema;
  scope: ReadScope;
  p: Params;
  depth: number;
}

let aliasSeq = 0;
const nextAlias = () => `f${(aliasSeq = (aliasSeq + 1) % 1_000_000)}`;

export function compileFilter(kind: Kind, filter: FilterInput | null | undefined, alias: string, schema: CompiledSchema, scope: ReadScope, p: Params): string {
  if (!filter) return 'true';
  return compile(kind, filter, alias, { schema, scope, p, depth: 0 });
}

function compile(kind: Kind, filter: FilterInput, alias: string, c: Ctx): string {
  if (c.depth > 10) throw errors.badInput('Filters are nested too deeply');
  const parts: string[] = [];
  let orPart: string | null = null;
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    switch (key) {
      case 'AND':
        for (const f of asList(value)) parts.push(compile(kind, f, alias, deeper(c)));
        continue;
      case 'OR': {
        const ors = asList(value).map((f) => compile(kind, f, alias, deeper(c)));
        orPart = ors.map((s) => `(${s})`).join(' OR ');
        continue;
      }
      case 'NOT':
        for (const f of asList(value)) parts.push(`NOT (${compile(kind, f, alias, deeper(c))})`);
        continue;
      case 'DISTINCT':
        // Related filters compile to EXISTS, so rows are never duplicated.
        continue;
      case 'id':
        parts.push(lookupSql(`${alias}.id`, 'id', value, c.p));
        continue;
      case 'created':
        parts.push(lookupSql(`${alias}._created`, 'num', value, c.p));
        continue;
      case 'last_updated':
        parts.push(lookupSql(`${alias}._valid_from`, 'num', value, c.p));
        continue;
    }
    const attr = kind.attributes.find((a) => a.name === key);
    if (attr) {
      parts.push(attributeSql(kind, attr, `${alias}.${q(attr.name)}`, value, c.p));
      continue;
    }
    const rel = kind.relationships.find((r) => r.name === key);
    if (rel) {
      parts.push(relationSql(rel, alias, value as FilterInput, c));
      continue;
    }
    const fk = kind.relationships.find((r) => r.cardinality === 'one' && r.column === key);
    if (fk) {
      parts.push(value === null ? `${alias}.${q(fk.column)} IS NULL` : lookupSql(`${alias}.${q(fk.column)}`, 'id', typeof value === 'object' ? value : { exact: value }, c.p));
      continue;
    }
    const rev = kind.reverse.find((r) => r.name === key);
    if (rev) {
      parts.push(reverseSql(rev.sourceKind, rev.relationship, alias, value as FilterInput, c));
      continue;
    }
    throw errors.badInput(`Unknown filter field ${key} on ${kind.filterName}`);
  }
  const and = parts.length ? parts.map((s) => `(${s})`).join(' AND ') : 'true';
  return orPart ? `(${and}) OR (${orPart})` : and;
}

function deeper(c: Ctx): Ctx {
  return { ...c, depth: c.depth + 1 };
}

function asList(v: unknown): FilterInput[] {
  if (Array.isArray(v)) return v as FilterInput[];
  if (v && typeof v === 'object') return [v as FilterInput];
  throw errors.badInput('AND/OR/NOT take a filter object');
}

function relationSql(rel: Relationship, alias: string, nested: FilterInput, c: Ctx): string {
  const peers = rel.polymorphic ? [] : [c.schema.kinds.get(rel.peer)!];
  if (rel.polymorphic) {
    // Generic peers: filter on id only, across implementers.
    const ids = nested?.id;
    if (!ids || Object.keys(nested).some((k) => k !== 'id')) throw errors.badInput(`Filter on ${rel.name} supports only id`);
    return rel.cardinality === 'one'
      ? lookupSql(`${alias}.${q(rel.column)}`, 'id', ids, c.p)
      : `EXISTS (SELECT 1 FROM unnest(${alias}.${q(rel.column)}) u(id) WHERE ${lookupSql('u.id', 'id', ids, c.p)})`;
  }
  const peer = peers[0]!;
  const a = nextAlias();
  const join = rel.cardinality === 'one' ? `${a}.id = ${alias}.${q(rel.column)}` : `${a}.id = ANY(${alias}.${q(rel.column)})`;
  return `EXISTS (SELECT 1 FROM ${visibleRows(peer, c.scope, c.p)} ${a} WHERE ${join} AND (${compile(peer, nested, a, deeper(c))}))`;
}

function reverseSql(sourceKindName: string, rel: Relationship, alias: string, nested: FilterInput, c: Ctx): string {
  const source = c.schema.kinds.get(sourceKindName)!;
  const a = nextAlias();
  const join = rel.cardinality === 'one' ? `${a}.${q(rel.column)} = ${alias}.id` : `${alias}.id = ANY(${a}.${q(rel.column)})`;
  return `EXISTS (SELECT 1 FROM ${visibleRows(source, c.scope, c.p)} ${a} WHERE ${join} AND (${compile(source, nested, a, deeper(c))}))`;
}

type LookupFamily = 'str' | 'num' | 'bool' | 'id' | 'net' | 'json';

function familyOf(attr: Attribute): LookupFamily {
  switch (attr.kind) {
    case 'Number':
    case 'Float':
    case 'DateTime':
    case 'Date':
      return 'num';
    case 'Boolean':
      return 'bool';
    case 'IPHost':
    case 'IPNetwork':
      return 'net';
    case 'JSON':
    case 'ListNumber':
    case 'ListText':
      return 'json';
    default:
      return 'str';
  }
}

function attributeSql(kind: Kind, attr: Attribute, col: string, value: unknown, p: Params): string {
  if (attr.kind === 'Dropdown') {
    // Enum filters accept `STATUS_ACTIVE` or `{exact: STATUS_ACTIVE}` / `{in_list: [...]}`.
    const lookup = typeof value === 'string' || Array.isArray(value) ? (Array.isArray(value) ? { in_list: value } : { exact: value }) : (value as Record<string, unknown>);
    const mapped: Record<string, unknown> = {};
    for (const [op, v] of Object.entries(lookup ?? {})) {
      if (op === 'exact' || op === 'i_exact') mapped[op] = v === null ? null : choiceOrThrow(kind, attr, v);
      else if (op === 'in_list') mapped[op] = (v as unknown[]).map((x) => choiceOrThrow(kind, attr, x));
      else mapped[op] = v;
    }
    return lookupSql(col, 'str', mapped, p);
  }
  if (attr.kind === 'MacAddress') {
    return lookupSql(`${col}::text`, 'str', value, p);
  }
  return lookupSql(col, familyOf(attr), value, p);
}

function choiceOrThrow(kind: Kind, attr: Attribute, v: unknown): string {
  const value = normalizeChoice(attr, v);
  if (value === undefined) throw errors.badInput(`Invalid value ${JSON.stringify(v)} for ${kind.name}.${attr.name}; choices: ${attr.choices.map((c) => c.enumName).join(', ')}`, { field: attr.name });
  return value;
}

const STR_OPS = new Set(['exact', 'i_exact', 'contains', 'i_contains', 'starts_with', 'i_starts_with', 'ends_with', 'i_ends_with', 'regex', 'i_regex', 'in_list', 'is_null', 'n_exact']);
const NUM_OPS = new Set(['exact', 'gt', 'gte', 'lt', 'lte', 'range', 'in_list', 'is_null']);
const NET_OPS = new Set(['exact', 'in_list', 'is_null', 'net_contains', 'net_contains_or_equals', 'net_contained', 'net_contained_or_equal', 'family']);

/** One lookup object (`{exact: 1, gt: 0}`: all conditions ANDed) on a column. */
export function lookupSql(col: string, family: LookupFamily, value: unknown, p: Params): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    // Shorthand: a bare value means exact.
    return value === null ? `${col} IS NULL` : `${col} = ${p.add(value)}`;
  }
  const conds: string[] = [];
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const allowed = family === 'num' ? NUM_OPS : family === 'net' ? NET_OPS : family === 'bool' ? new Set(['exact', 'is_null']) : family === 'id' ? new Set(['exact', 'in_list', 'is_null']) : STR_OPS;
    if (!allowed.has(op)) throw errors.badInput(`Unknown lookup ${op}`);
    if (op === 'is_null') {
      conds.push(v ? `${col} IS NULL` : `${col} IS NOT NULL`);
      continue;
    }
    if (v === null) {
      if (op === 'exact') conds.push(`${col} IS NULL`);
      continue;
    }
    switch (op) {
      case 'exact':
        conds.push(`${col} = ${p.add(v)}`);
        break;
      case 'n_exact':
        conds.push(`${col} IS DISTINCT FROM ${p.add(v)}`);
        break;
      case 'i_exact':
        conds.push(`lower(${col}) = lower(${p.add(v)})`);
        break;
      case 'contains':
        conds.push(`${col} LIKE ${p.add(`%${likeEscape(String(v))}%`)}`);
        break;
      case 'i_contains':
        conds.push(`${col} ILIKE ${p.add(`%${likeEscape(String(v))}%`)}`);
        break;
      case 'starts_with':
        conds.push(`${col} LIKE ${p.add(`${likeEscape(String(v))}%`)}`);
        break;
      case 'i_starts_with':
        conds.push(`${col} ILIKE ${p.add(`${likeEscape(String(v))}%`)}`);
        break;
      case 'ends_with':
        conds.push(`${col} LIKE ${p.add(`%${likeEscape(String(v))}`)}`);
        break;
      case 'i_ends_with':
        conds.push(`${col} ILIKE ${p.add(`%${likeEscape(String(v))}`)}`);
        break;
      case 'regex':
        conds.push(`${col} ~ ${p.add(v)}`);
        break;
      case 'i_regex':
        conds.push(`${col} ~* ${p.add(v)}`);
        break;
      case 'in_list':
        if (!Array.isArray(v)) throw errors.badInput('in_list takes a list');
        conds.push(`${col} = ANY(${p.add(v)})`);
        break;
      case 'gt':
        conds.push(`${col} > ${p.add(v)}`);
        break;
      case 'gte':
        conds.push(`${col} >= ${p.add(v)}`);
        break;
      case 'lt':
        conds.push(`${col} < ${p.add(v)}`);
        break;
      case 'lte':
        conds.push(`${col} <= ${p.add(v)}`);
        break;
      case 'range': {
        const r = v as { start?: unknown; end?: unknown };
        if (r.start != null) conds.push(`${col} >= ${p.add(r.start)}`);
        if (r.end != null) conds.push(`${col} <= ${p.add(r.end)}`);
        break;
      }
      case 'net_contains':
        conds.push(`${col} >> ${p.add(v)}::inet`);
        break;
      case 'net_contains_or_equals':
        conds.push(`${col} >>= ${p.add(v)}::inet`);
        break;
      case 'net_contained':
        conds.push(`${col} << ${p.add(v)}::inet`);
        break;
      case 'net_contained_or_equal':
        conds.push(`${col} <<= ${p.add(v)}::inet`);
        break;
      case 'family':
        conds.push(`family(${col}) = ${p.add(v)}`);
        break;
    }
  }
  return conds.length ? conds.join(' AND ') : 'true';
}
