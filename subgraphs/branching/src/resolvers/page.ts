// Offset pagination of in-memory lists (branch_diff): the NetBox v2 rules of the other lists
// (default 100 rows, limit capped at STRATA_MAX_PAGE_SIZE, non-negative integers).
import { errors } from '@strata/shared';

export interface PaginationInput {
  offset?: number | null;
  limit?: number | null;
  start?: string | null;
}

export interface Page {
  offset: number;
  limit: number;
}

export const DEFAULT_LIMIT = 100;

export function pageOf(p: PaginationInput | null | undefined, maxPageSize: number, what = 'this list'): Page {
  if (p?.start != null) throw errors.badInput(`pagination.start (keyset pagination) is not available on ${what}: use offset and limit`, { field: 'pagination.start' });
  const offset = p?.offset ?? 0;
  const limit = p?.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(offset) || offset < 0) throw errors.badInput('pagination.offset must be a non-negative integer', { field: 'pagination.offset' });
  if (!Number.isInteger(limit) || limit < 0) throw errors.badInput('pagination.limit must be a non-negative integer', { field: 'pagination.limit' });
  return { offset, limit: Math.min(limit, maxPageSize) };
}

export function slice<T>(rows: T[], page: Page): T[] {
  return rows.slice(page.offset, page.offset + page.limit);
}
