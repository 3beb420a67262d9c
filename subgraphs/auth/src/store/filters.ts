// NetBox-style lookups (docs/api.md#queries) translated to Prisma conditions for the auth models:
// string lookups, id lookups and boolean lookups; several lookups on one field are ANDed.
import type { BoolLookup, IdLookup, StrLookup } from '@strata/shared';
import type { StringFilter } from '../generated/prisma/models.ts';

export type { BoolLookup, IdLookup, StrLookup };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Matches no row (ids are never equal to this). */
const NONE = '00000000-0000-0000-0000-000000000000';

/**
 * Conditions for a non-null string column. `is_null: true` can never match, which is encoded
 * as `{ in: [] }`.
 */
export function strConditions(l: StrLookup | null | undefined): StringFilter[] {
  if (!l) return [];
  const out: StringFilter[] = [];
  const ci = { mode: 'insensitive' as const };
  if (l.exact != null) out.push({ equals: l.exact });
  if (l.i_exact != null) out.push({ equals: l.i_exact, ...ci });
  if (l.contains != null) out.push({ contains: l.contains });
  if (l.i_contains != null) out.push({ contains: l.i_contains, ...ci });
  if (l.starts_with != null) out.push({ startsWith: l.starts_with });
  if (l.i_starts_with != null) out.push({ startsWith: l.i_starts_with, ...ci });
  if (l.ends_with != null) out.push({ endsWith: l.ends_with });
  if (l.i_ends_with != null) out.push({ endsWith: l.i_ends_with, ...ci });
  if (l.in_list != null) out.push({ in: l.in_list });
  if (l.is_null === true) out.push({ in: [] });
  return out;
}

/** Conditions for a uuid column; malformed ids match nothing instead of failing in Postgres. */
export function idConditions(l: IdLookup | null | undefined): StringFilter[] {
  if (!l) return [];
  const out: StringFilter[] = [];
  if (l.exact != null) out.push({ equals: isUuid(l.exact) ? l.exact : NONE });
  if (l.in_list != null) out.push({ in: l.in_list.filter(isUuid) });
  return out;
}

/** A single uuid argument: the value, or a never-matching id when malformed. */
export function safeId(id: string): string {
  return isUuid(id) ? id : NONE;
}
