// Translates the GraphQL change-log filter and order (NetBox v2 lookups, AND/OR/NOT) into
// Prisma where/orderBy inputs, and the request context (branch, time travel) into a scope.
import { errors, type IdLookup, type RequestContext, type StrLookup } from '@strata/shared';

export type { IdLookup, StrLookup };
import type { Prisma } from '../generated/prisma/client.ts';

export interface TimeLookup {
  exact?: Date | null;
  gt?: Date | null;
  gte?: Date | null;
  lt?: Date | null;
  lte?: Date | null;
  range?: { start?: Date | null; end?: Date | null } | null;
  in_list?: Date[] | null;
}

export interface ChangeFilter {
  id?: IdLookup | null;
  changed_object_type?: StrLookup | null;
  changed_object_id?: IdLookup | null;
  object_repr?: StrLookup | null;
  action?: StrLookup | null;
  user_name?: StrLookup | null;
  request_id?: StrLookup | null;
  branch?: StrLookup | null;
  time?: TimeLookup | null;
  AND?: ChangeFilter | null;
  OR?: ChangeFilter | null;
  NOT?: ChangeFilter | null;
}

export type Ordering = 'ASC' | 'DESC';
export const ORDER_FIELDS = ['time', 'id', 'changed_object_type', 'changed_object_id', 'action', 'user_name', 'request_id', 'branch', 'object_repr'] as const;
export type ChangeOrder = Partial<Record<(typeof ORDER_FIELDS)[number], Ordering | null>>;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Where = Prisma.ObjectChangeWhereInput;
const STR_FIELDS = ['changed_object_type', 'object_repr', 'action', 'user_name', 'request_id', 'branch'] as const;
const NULLABLE = new Set<string>(['user_name']);

/** ID lookups on uuid columns: a value that is not a uuid matches nothing (no SQL error). */
function idWhere(field: 'id' | 'changed_object_id', l: IdLookup): Where[] {
  const out: Where[] = [];
  const valid = (v: string) => UUID.test(v);
  if (l.exact != null) out.push(valid(l.exact) ? { [field]: l.exact } : { id: { in: [] } });
  if (l.in_list) out.push({ [field]: { in: l.in_list.filter(valid) } });
  return out;
}

function strWhere(field: (typeof STR_FIELDS)[number], l: StrLookup): Where[] {
  const out: Where[] = [];
  const f = (cond: Record<string, unknown>): Where => ({ [field]: cond }) as Where;
  const ci = { mode: 'insensitive' as const };
  if (l.exact != null) out.push(f({ equals: l.exact }));
  if (l.i_exact != null) out.push(f({ equals: l.i_exact, ...ci }));
  if (l.contains != null) out.push(f({ contains: l.contains }));
  if (l.i_contains != null) out.push(f({ contains: l.i_contains, ...ci }));
  if (l.starts_with != null) out.push(f({ startsWith: l.starts_with }));
  if (l.i_starts_with != null) out.push(f({ startsWith: l.i_starts_with, ...ci }));
  if (l.ends_with != null) out.push(f({ endsWith: l.ends_with }));
  if (l.i_ends_with != null) out.push(f({ endsWith: l.i_ends_with, ...ci }));
  if (l.in_list) out.push(f({ in: l.in_list }));
  if (l.is_null != null) {
    if (NULLABLE.has(field)) out.push(l.is_null ? ({ [field]: null } as Where) : ({ NOT: { [field]: null } } as Where));
    else if (l.is_null) out.push({ id: { in: [] } }); // never null
  }
  return out;
}

function timeWhere(l: TimeLookup): Where[] {
  const out: Where[] = [];
  if (l.exact != null) out.push({ time: l.exact });
  if (l.gt != null) out.push({ time: { gt: l.gt } });
  if (l.gte != null) out.push({ time: { gte: l.gte } });
  if (l.lt != null) out.push({ time: { lt: l.lt } });
  if (l.lte != null) out.push({ time: { lte: l.lte } });
  if (l.range) {
    if (l.range.start != null) out.push({ time: { gte: l.range.start } });
    if (l.range.end != null) out.push({ time: { lte: l.range.end } });
  }
  if (l.in_list) out.push({ time: { in: l.in_list } });
  return out;
}

/** The filter as a Prisma where (depth-limited by the GraphQL depth limit at the gateway). */
export function filterWhere(f: ChangeFilter | null | undefined): Where {
  if (!f) return {};
  const and: Where[] = [];
  if (f.id) and.push(...idWhere('id', f.id));
  if (f.changed_object_id) and.push(...idWhere('changed_object_id', f.changed_object_id));
  for (const field of STR_FIELDS) {
    const l = f[field];
    if (l) and.push(...strWhere(field, l));
  }
  if (f.time) and.push(...timeWhere(f.time));
  if (f.AND) and.push(filterWhere(f.AND));
  let where: Where = { AND: and };
  if (f.OR) where = { OR: [where, filterWhere(f.OR)] };
  if (f.NOT) where = { AND: [where, { NOT: filterWhere(f.NOT) }] };
  return where;
}

function mentionsBranch(f: ChangeFilter | null | undefined): boolean {
  return !!f && (!!f.branch || mentionsBranch(f.AND) || mentionsBranch(f.OR));
}

/**
 * What the request may see: changes up to `at` (time travel); on `main` main's changes, on a
 * branch its own plus main's (an isolated branch sees main only up to its `branched_from`).
 * A filter on `branch` replaces the branch scope (the change log of any branch can be read).
 */
export function contextScope(ctx: RequestContext, filter?: ChangeFilter | null): Where {
  const and: Where[] = [];
  if (ctx.at) and.push({ time: { lte: new Date(ctx.at) } });
  if (!mentionsBranch(filter)) {
    if (ctx.branch === 'main') and.push({ branch: 'main' });
    else {
      const main: Where = ctx.branchMeta?.isolated ? { branch: 'main', time: { lte: new Date(ctx.branchMeta.branchedFrom) } } : { branch: 'main' };
      and.push({ OR: [{ branch: ctx.branch }, main] });
    }
  }
  return { AND: and };
}

export function orderBy(order: ChangeOrder | null | undefined): Prisma.ObjectChangeOrderByWithRelationInput[] {
  const out: Prisma.ObjectChangeOrderByWithRelationInput[] = [];
  for (const [field, dir] of Object.entries(order ?? {})) {
    if (dir == null) continue;
    if (!(ORDER_FIELDS as readonly string[]).includes(field)) throw errors.badInput(`Cannot order by ${field}`);
    out.push({ [field]: dir === 'ASC' ? 'asc' : 'desc' });
  }
  if (!out.some((o) => 'time' in o)) out.push({ time: 'desc' });
  if (!out.some((o) => 'id' in o)) out.push({ id: 'desc' });
  return out;
}
