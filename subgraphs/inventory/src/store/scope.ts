// Which versions a request sees: branch overlay and time travel (docs/branches.md). `visibleRows`
// returns a subquery of the live (not deleted) rows of one kind for a read scope.
import type { RequestContext } from '@strata/shared';
import type { Kind } from '../model/kinds.ts';
import { type Params, q } from './sql.ts';

export interface ReadScope {
  branch: string;
  /** time-travel instant; null = now */
  at: Date | null;
  /** isolated branches see main as of this instant */
  branchedFrom: Date | null;
  isolated: boolean;
}

export function scopeFromContext(ctx: RequestContext): ReadScope {
  return {
    branch: ctx.branch,
    at: ctx.at ? new Date(ctx.at) : null,
    branchedFrom: ctx.branchMeta ? new Date(ctx.branchMeta.branchedFrom) : null,
    isolated: ctx.branchMeta?.isolated ?? false,
  };
}

function validAt(alias: string, at: Date | null, p: Params): string {
  if (!at) return `${alias}._valid_to IS NULL`;
  const t = p.add(at);
  return `${alias}._valid_from <= ${t} AND (${alias}._valid_to IS NULL OR ${alias}._valid_to > ${t})`;
}

/** Instant at which a branch sees main (null = now). */
export function mainInstant(scope: ReadScope): Date | null {
  if (scope.branch === 'main' || !scope.isolated || !scope.branchedFrom) return scope.at;
  if (!scope.at) return scope.branchedFrom;
  return scope.at < scope.branchedFrom ? scope.at : scope.branchedFrom;
}

/**
 * SQL for the rows of `kind` visible in `scope` (a parenthesised subquery, not aliased).
 * On main it is a plain indexed scan; on a branch the branch's rows replace main's, and
 * tombstones (deleted on the branch) hide main's rows.
 */
export function visibleRows(kind: Kind, scope: ReadScope, p: Params, includeDeleted = false): string {
  const t = q(kind.table);
  const live = includeDeleted ? '' : ' AND NOT v._deleted';
  if (scope.branch === 'main') {
    return `(SELECT * FROM ${t} v WHERE v._branch = 'main' AND ${validAt('v', scope.at, p)}${live})`;
  }
  const b = p.add(scope.branch);
  const mainAt = mainInstant(scope);
  return `(SELECT * FROM (
      SELECT * FROM ${t} m WHERE m._branch = 'main' AND ${validAt('m', mainAt, p)}
        AND NOT EXISTS (SELECT 1 FROM ${t} bb WHERE bb.id = m.id AND bb._branch = ${b} AND ${validAt('bb', scope.at, p)})
      UNION ALL
      SELECT * FROM ${t} br WHERE br._branch = ${b} AND ${validAt('br', scope.at, p)}
    ) v WHERE true${live})`;
}
