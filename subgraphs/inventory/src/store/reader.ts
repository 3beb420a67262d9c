// Read queries over the visible rows of a kind: lists (filters, order, offset pagination, exact
// counts), lookups by id, and batched child lists (one statement for many parents).
import type pg from 'pg';
import { errors } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import { compileFilter, type FilterInput } from './filters.ts';
import { type ReadScope, visibleRows } from './scope.ts';
import { Params, q } from './sql.ts';
import { dbError } from './db-errors.ts';

export type Row = Record<string, unknown> & { id: string; _valid_from: Date; _created: Date; _deleted?: boolean };

export interface Pagination {
  offset?: number | null;
  limit?: number | null;
  /** keyset pagination: rows with id greater than this one, in id order */
  start?: string | null;
}
export type OrderInput = Record<string, 'ASC' | 'DESC' | null | undefined>;

export interface ListArgs {
  filters?: FilterInput | null;
  pagination?: Pagination | null;
  order?: OrderInput | null;
}

export interface Limits {
  defaultLimit: number;
  maxLimit: number;
}

/** Runs SQL and counts statements (the request's statement counter sees every query). */
export interface Db {
  query<R extends pg.QueryResultRow = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export function resolvePage(p: Pagination | null | undefined, limits: Limits): { offset: number; limit: number } {
  const offset = p?.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw errors.badInput('pagination.offset must be a non-negative integer');
  let limit = p?.limit ?? limits.defaultLimit;
  if (!Number.isInteger(limit) || limit < 0) throw errors.badInput('pagination.limit must be a non-negative integer');
  if (limit > limits.maxLimit) limit = limits.maxLimit;
  return { offset, limit };
}

export function orderSql(kind: Kind, order: OrderInput | null | undefined, alias: string): string {
  const keys: string[] = [];
  const entries = order ? Object.entries(order).filter(([, d]) => d) : [];
  const spec = entries.length ? entries.map(([f, d]) => ({ field: f, desc: d === 'DESC' })) : kind.orderBy;
  for (const { field, desc } of spec) {
    let col: string;
    if (field === 'id') col = `${alias}.id`;
    else if (field === 'created') col = `${alias}._created`;
    else if (field === 'last_updated') col = `${alias}._valid_from`;
    else if (kind.attributes.some((a) => a.name === field)) col = `${alias}.${q(field)}`;
    else {
      const rel = kind.relationships.find((r) => r.name === field && r.cardinality === 'one');
      if (!rel) throw errors.badInput(`Cannot order ${kind.name} by ${field}`);
      col = `${alias}.${q(rel.column)}`;
    }
    keys.push(`${col} ${desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
  }
  keys.push(`${alias}.id ASC`);
  return keys.join(', ');
}

export class Reader {
  constructor(
    private readonly db: Db,
    private readonly schema: CompiledSchema,
    private readonly scope: ReadScope,
    private readonly limits: Limits,
  ) {}

  async list(kind: Kind, args: ListArgs): Promise<Row[]> {
    const { offset, limit } = resolvePage(args.pagination, this.limits);
    if (limit === 0) return [];
    const p = new Params();
    const where = compileFilter(kind, args.filters, 'r', this.schema, this.scope, p);
    const start = args.pagination?.start;
    if (start != null) {
      // Keyset: constant cost per page however deep the export goes.
      if (!/^[0-9a-f-]{36}$/i.test(start)) throw errors.badInput('pagination.start must be a node id');
      const order = Object.entries(args.order ?? {}).filter(([, d]) => d);
      if (order.some(([f, d]) => f !== 'id' || d !== 'ASC')) throw errors.badInput('pagination.start pages in id order: use no order or order: {id: ASC}');
      const sql = `SELECT r.* FROM ${visibleRows(kind, this.scope, p)} r WHERE r.id > ${p.add(start)}::uuid AND (${where}) ORDER BY r.id LIMIT ${p.add(limit)}`;
      return this.run(sql, p);
    }
    const sql = `SELECT r.* FROM ${visibleRows(kind, this.scope, p)} r WHERE ${where} ORDER BY ${orderSql(kind, args.order, 'r')} LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`;
    return this.run(sql, p);
  }

  async count(kind: Kind, filters: FilterInput | null | undefined): Promise<number> {
    const p = new Params();
    const where = compileFilter(kind, filters, 'r', this.schema, this.scope, p);
    const rows = await this.run<{ n: number }>(`SELECT count(*)::int AS n FROM ${visibleRows(kind, this.scope, p)} r WHERE ${where}`, p);
    return rows[0]?.n ?? 0;
  }

  async byIds(kind: Kind, ids: readonly string[]): Promise<Row[]> {
    const p = new Params();
    const sql = `SELECT r.* FROM ${visibleRows(kind, this.scope, p)} r WHERE r.id = ANY(${p.add(ids)}::uuid[])`;
    return this.run(sql, p);
  }

  /**
   * Children of many parents in one statement: rows of `kind` whose `column` (a uuid, or a uuid[]
   * when `many`) points at one of `parentIds`, filtered, ordered and paginated per parent.
   */
  async childrenOf(kind: Kind, column: string, many: boolean, parentIds: readonly string[], args: ListArgs): Promise<Map<string, Row[]>> {
    const { offset, limit } = resolvePage(args.pagination, { defaultLimit: this.limits.maxLimit, maxLimit: this.limits.maxLimit });
    const out = new Map<string, Row[]>();
    if (limit === 0 || parentIds.length === 0) return out;
    const p = new Params();
    const parents = p.add(parentIds);
    const where = compileFilter(kind, args.filters, 'r', this.schema, this.scope, p);
    const parentExpr = many ? 'u.parent' : `r.${q(column)}`;
    const from = many ? `${visibleRows(kind, this.scope, p)} r CROSS JOIN LATERAL unnest(r.${q(column)}) u(parent)` : `${visibleRows(kind, this.scope, p)} r`;
    const sql = `SELECT * FROM (
        SELECT r.*, ${parentExpr} AS __parent,
               row_number() OVER (PARTITION BY ${parentExpr} ORDER BY ${orderSql(kind, args.order, 'r')}) AS __rn
        FROM ${from}
        WHERE ${parentExpr} = ANY(${parents}::uuid[]) AND (${where})
      ) x WHERE x.__rn > ${p.add(offset)} AND x.__rn <= ${p.add(offset + limit)} ORDER BY x.__parent, x.__rn`;
    for (const row of await this.run(sql, p)) {
      const parent = row.__parent as string;
      let list = out.get(parent);
      if (!list) out.set(parent, (list = []));
      list.push(row);
    }
    return out;
  }

  /**
   * The peers of a to-many relation for many parents in one statement: for each parent, the
   * visible rows of `kind` among its stored ids, filtered, ordered (default: the kind's order)
   * and paginated per parent. `parents` maps a parent id to its stored peer ids.
   */
  async peersOf(kind: Kind, parents: ReadonlyMap<string, readonly string[]>, args: ListArgs): Promise<Map<string, Row[]>> {
    const { offset, limit } = resolvePage(args.pagination, { defaultLimit: this.limits.maxLimit, maxLimit: this.limits.maxLimit });
    const out = new Map<string, Row[]>();
    const parentCol: string[] = [];
    const peerCol: string[] = [];
    for (const [parent, peers] of parents) {
      for (const peer of new Set(peers)) {
        parentCol.push(parent);
        peerCol.push(peer);
      }
    }
    if (limit === 0 || peerCol.length === 0) return out;
    const p = new Params();
    const pairs = `unnest(${p.add(parentCol)}::uuid[], ${p.add(peerCol)}::uuid[]) pp(parent, id)`;
    const where = compileFilter(kind, args.filters, 'r', this.schema, this.scope, p);
    const sql = `SELECT * FROM (
        SELECT r.*, pp.parent AS __parent,
               row_number() OVER (PARTITION BY pp.parent ORDER BY ${orderSql(kind, args.order, 'r')}) AS __rn
        FROM ${pairs} JOIN ${visibleRows(kind, this.scope, p)} r ON r.id = pp.id
        WHERE ${where}
      ) x WHERE x.__rn > ${p.add(offset)} AND x.__rn <= ${p.add(offset + limit)} ORDER BY x.__parent, x.__rn`;
    for (const row of await this.run(sql, p)) {
      const parent = row.__parent as string;
      let list = out.get(parent);
      if (!list) out.set(parent, (list = []));
      list.push(row);
    }
    return out;
  }

  private async run<R extends pg.QueryResultRow = Row>(sql: string, p: Params): Promise<R[]> {
    try {
      return (await this.db.query<R>(sql, p.values)).rows;
    } catch (err) {
      throw dbError(err);
    }
  }
}
