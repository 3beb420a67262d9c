// Compiles NetBox v2 filter inputs (lookups, AND/OR/NOT, related filters) into one SQL boolean
// expression over a visible-rows alias. No filtering happens in JS.
import { assertSafeRegex, errors } from '@strata/shared';
import type { Attribute, CompiledSchema, Kind, Relationship } from '../model/kinds.ts';
import { checkValue, normalizeChoice } from './values.ts';
import { type ReadScope, visibleRows } from './scope.ts';
import { likeEscape, type Params, q } from './sql.ts';

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
  return compile(kind, filter, alias, { schema, scope, p, depth: 0 }) ?? 'true';
}

/**
 * One filter object as SQL, or null when it sets no condition (an empty object, `{name: {}}`),
 * which like an empty Django `Q()` leaves AND, OR and NOT around it unchanged. NetBox's
 * (strawberry-django's) order: every field and AND and NOT are ANDed, then `OR: X` is applied
 * to that whole: `(others) OR X`.
 */
function compile(kind: Kind, filter: FilterInput, alias: string, c: Ctx): string | null {
  if (c.depth > 10) throw errors.badInput('Filters are nested too deeply');
  const parts: string[] = [];
  const add = (sql: string | null) => {
    if (sql !== null) parts.push(sql);
  };
  let orPart: string | null = null;
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    // `AND: null` (and OR, NOT, DISTINCT) sets no condition, as in strawberry-django.
    if (value === null && (key === 'AND' || key === 'OR' || key === 'NOT' || key === 'DISTINCT')) continue;
    switch (key) {
      case 'AND':
        for (const f of asList(value)) add(compile(kind, f, alias, deeper(c)));
        continue;
      case 'OR': {
        const ors = asList(value)
          .map((f) => compile(kind, f, alias, deeper(c)))
          .filter((s): s is string => s !== null);
        const any = ors.length ? ors.map((s) => `(${s})`).join(' OR ') : null;
        // A list (internal callers only; GraphQL takes one object) is ANDed like strawberry-django.
        if (Array.isArray(value)) add(any);
        else orPart = any;
        continue;
      }
      case 'NOT':
        // IS NOT TRUE: a row whose condition is unknown (NULL column) does not match X, so it
        // matches NOT X (Django negates lookups on nullable columns the same way).
        for (const f of asList(value)) {
          const inner = compile(kind, f, alias, deeper(c));
          if (inner !== null) parts.push(`(${inner}) IS NOT TRUE`);
        }
        continue;
      case 'DISTINCT':
        // Related filters compile to EXISTS, so rows are never duplicated.
        continue;
      case 'id':
        add(lookupSql(`${alias}.id`, 'id', value, c.p));
        continue;
      case 'created':
        add(lookupSql(`${alias}._created`, 'num', value, c.p));
        continue;
      case 'last_updated':
        add(lookupSql(`${alias}._valid_from`, 'num', value, c.p));
        continue;
    }
    const attr = kind.attributes.find((a) => a.name === key);
    if (attr) {
      add(attributeSql(kind, attr, `${alias}.${q(attr.name)}`, value, c.p));
      continue;
    }
    const rel = kind.relationships.find((r) => r.name === key);
    if (rel) {
      add(relationSql(rel, alias, value as FilterInput | null, c));
      continue;
    }
    const fk = kind.relationships.find((r) => r.cardinality === 'one' && r.column === key);
    if (fk) {
      add(value === null ? `${alias}.${q(fk.column)} IS NULL` : lookupSql(`${alias}.${q(fk.column)}`, 'id', typeof value === 'object' ? value : { exact: value }, c.p));
      continue;
    }
    const rev = kind.reverse.find((r) => r.name === key);
    if (rev) {
      add(reverseSql(rev.sourceKind, rev.relationship, alias, value as FilterInput | null, c));
      continue;
    }
    throw errors.badInput(`Unknown filter field ${key} on ${kind.filterName}`);
  }
  const and = parts.length ? parts.map((s) => `(${s})`).join(' AND ') : null;
  if (orPart === null) return and;
  return and === null ? orPart : `(${and}) OR (${orPart})`;
}

function deeper(c: Ctx): Ctx {
  return { ...c, depth: c.depth + 1 };
}

function asList(v: unknown): FilterInput[] {
  if (Array.isArray(v)) return v as FilterInput[];
  if (v && typeof v === 'object') return [v as FilterInput];
  throw errors.badInput('AND/OR/NOT take a filter object');
}

function relationSql(rel: Relationship, alias: string, nested: FilterInput | null, c: Ctx): string | null {
  // `tenant: null` / `tags: null`: no peer at all (like `tenant_id: null`).
  if (nested === null) return rel.cardinality === 'one' ? `${alias}.${q(rel.column)} IS NULL` : `coalesce(cardinality(${alias}.${q(rel.column)}), 0) = 0`;
  if (typeof nested !== 'object' || Array.isArray(nested)) throw errors.badInput(`Filter on ${rel.name} takes a filter object`);
  if (rel.polymorphic) {
    // Generic peers: filter on id only, across implementers.
    const ids = nested.id;
    if (Object.keys(nested).some((k) => k !== 'id')) throw errors.badInput(`Filter on ${rel.name} supports only id`);
    if (ids === undefined) return null;
    if (rel.cardinality === 'one') return lookupSql(`${alias}.${q(rel.column)}`, 'id', ids, c.p);
    const cond = lookupSql('u.id', 'id', ids, c.p);
    return cond === null ? null : `EXISTS (SELECT 1 FROM unnest(${alias}.${q(rel.column)}) u(id) WHERE ${cond})`;
  }
  const peer = c.schema.kinds.get(rel.peer)!;
  const a = nextAlias();
  const cond = compile(peer, nested, a, deeper(c));
  if (cond === null) return null;
  const join = rel.cardinality === 'one' ? `${a}.id = ${alias}.${q(rel.column)}` : `${a}.id = ANY(${alias}.${q(rel.column)})`;
  return `EXISTS (SELECT 1 FROM ${visibleRows(peer, c.scope, c.p)} ${a} WHERE ${join} AND (${cond}))`;
}

function reverseSql(sourceKindName: string, rel: Relationship, alias: string, nested: FilterInput | null, c: Ctx): string | null {
  if (nested !== null && (typeof nested !== 'object' || Array.isArray(nested))) throw errors.badInput(`Filter on ${rel.inverse ?? rel.name} takes a filter object`);
  const source = c.schema.kinds.get(sourceKindName)!;
  const a = nextAlias();
  const join = rel.cardinality === 'one' ? `${a}.${q(rel.column)} = ${alias}.id` : `${alias}.id = ANY(${a}.${q(rel.column)})`;
  // `devices: null`: no related row at all.
  if (nested === null) return `NOT EXISTS (SELECT 1 FROM ${visibleRows(source, c.scope, c.p)} ${a} WHERE ${join})`;
  const cond = compile(source, nested, a, deeper(c));
  if (cond === null) return null;
  return `EXISTS (SELECT 1 FROM ${visibleRows(source, c.scope, c.p)} ${a} WHERE ${join} AND (${cond}))`;
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

function attributeSql(kind: Kind, attr: Attribute, col: string, value: unknown, p: Params): string | null {
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
  if (attr.kind === 'Date') {
    // Postgres would also take `today`, `epoch`, `infinity`...: only YYYY-MM-DD dates here.
    forEachOperand(value, (v) => {
      if (!checkValue(attr, v).ok) throw errors.badInput(`Invalid date ${JSON.stringify(v)} for ${kind.name}.${attr.name}: use YYYY-MM-DD`, { field: attr.name });
    });
  }
  return lookupSql(col, familyOf(attr), value, p);
}

/** Calls `fn` on every value a lookup compares with (not on is_null flags). */
function forEachOperand(value: unknown, fn: (v: unknown) => void): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    fn(value);
    return;
  }
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined || op === 'is_null') continue;
    if (op === 'in_list' && Array.isArray(v)) v.forEach(fn);
    else if (op === 'range' && typeof v === 'object') {
      const r = v as { start?: unknown; end?: unknown };
      if (r.start != null) fn(r.start);
      if (r.end != null) fn(r.end);
    } else fn(v);
  }
}

function choiceOrThrow(kind: Kind, attr: Attribute, v: unknown): string {
  const value = normalizeChoice(attr, v);
  if (value === undefined)
    throw errors.badInput(`Invalid value ${JSON.stringify(v)} for ${kind.name}.${attr.name}; choices: ${attr.choices.map((c) => c.enumName).join(', ')}`, { field: attr.name });
  return value;
}

const STR_OPS = new Set([
  'exact',
  'i_exact',
  'contains',
  'i_contains',
  'starts_with',
  'i_starts_with',
  'ends_with',
  'i_ends_with',
  'regex',
  'i_regex',
  'in_list',
  'is_null',
  'n_exact',
]);
const NUM_OPS = new Set(['exact', 'gt', 'gte', 'lt', 'lte', 'range', 'in_list', 'is_null']);
const NET_OPS = new Set(['exact', 'in_list', 'is_null', 'net_contains', 'net_contains_or_equals', 'net_contained', 'net_contained_or_equal', 'family']);

/** One lookup object (`{exact: 1, gt: 0}`: all conditions ANDed) on a column; null when it sets none. */
export function lookupSql(col: string, family: LookupFamily, value: unknown, p: Params): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    // Shorthand: a bare value means exact.
    return value === null ? `${col} IS NULL` : `${col} = ${p.add(value)}`;
  }
  const conds: string[] = [];
  for (const [op, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const allowed =
      family === 'num'
        ? NUM_OPS
        : family === 'net'
          ? NET_OPS
          : family === 'bool'
            ? new Set(['exact', 'is_null'])
            : family === 'id'
              ? new Set(['exact', 'in_list', 'is_null'])
              : STR_OPS;
    if (!allowed.has(op)) throw errors.badInput(`Unknown lookup ${op}`);
    if (op === 'is_null') {
      if (v !== null) conds.push(v ? `${col} IS NULL` : `${col} IS NOT NULL`);
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
        conds.push(`${col} ~ ${p.add(assertSafeRegex(v, 'regex'))}`);
        break;
      case 'i_regex':
        conds.push(`${col} ~* ${p.add(assertSafeRegex(v, 'i_regex'))}`);
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
  return conds.length ? conds.join(' AND ') : null;
}
