// Offset pagination of the v2 dialect: default 100 rows, capped at STRATA_MAX_PAGE_SIZE.
import { errors } from '@strata/shared';

export interface PaginationInput {
  offset?: number | null;
  limit?: number | null;
}

export interface Page {
  offset: number;
  limit: number;
}

export const DEFAULT_PAGE_SIZE = 100;

export function resolvePage(input: PaginationInput | null | undefined, maxPageSize: number): Page {
  const offset = input?.offset ?? 0;
  const limit = input?.limit ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (offset < 0) throw errors.badInput('pagination.offset must not be negative', { field: 'pagination.offset' });
  if (limit < 0) throw errors.badInput('pagination.limit must not be negative', { field: 'pagination.limit' });
  return { offset, limit: Math.min(limit, maxPageSize) };
}
