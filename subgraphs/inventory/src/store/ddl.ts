// Keeps the per-kind version tables in step with the compiled schema: creates tables, adds
// columns and indexes (never drops data). Runs at start and on every schema load, under an
// advisory lock so concurrent instances do not race.
import type pg from 'pg';
import { quoteIdent as q } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import { dataColumns, SQL_TYPE, SYSTEM_COLUMNS } from './columns.ts';

const DDL_LOCK = 72707370;
const MAIN_CURRENT = `_branch = 'main' AND _valid_to IS NULL`;

export function kindDdl(kind: Kind): string[] {
  const t = q(kind.table);
  const name = (suffix: string) => q(`${kind.table}_${suffix}`.slice(0, 63));
  const stmts = [
    `CREATE TABLE IF NOT EXISTS ${t} (${SYSTEM_COLUMNS})`,
    ...dataColumns(kind).map((c) => `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${q(c.column)} ${c.sqlType}`),
    // current state of main: one row per node
    `CREATE UNIQUE INDEX IF NOT EXISTS ${name('main_cur')} ON ${t} (id) WHERE ${MAIN_CURRENT}`,
    // current state of branches: one row per node per branch
    `CREATE UNIQUE INDEX IF NOT EXISTS ${name('branch_cur')} ON ${t} (_branch, id) WHERE _valid_to IS NULL AND _branch <> 'main'`,
    // history (time travel, diff)
    `CREATE INDEX IF NOT EXISTS ${name('hist')} ON ${t} (id, _branch, _valid_from)`,
    `CREATE INDEX IF NOT EXISTS ${name('branch_changes')} ON ${t} (_branch, _valid_from) WHERE _branch <> 'main'`,
  ];
  for (const set of kind.uniqueSets) {
    const cols = set.map((n) => {
      const rel = kind.relationships.find((r) => r.name === n);
      return rel ? rel.column : n;
    });
    // Empty optional text counts as "no value" (like NULL), so blanks never collide.
    const exprs = cols.map((c) => {
      const attr = kind.attributes.find((a) => a.name === c);
      return attr && SQL_TYPE[attr.kind] === 'text' ? `(NULLIF(${q(c)}, ''))` : q(c);
    });
    stmts.push(`CREATE UNIQUE INDEX IF NOT EXISTS ${name(`uq_${cols.join('_')}`)} ON ${t} (${exprs.join(', ')}) WHERE ${MAIN_CURRENT} AND NOT _deleted`);
  }
  for (const c of dataColumns(kind)) {
    if (c.isKindColumn) continue;
    if (c.relationship?.cardinality === 'one') {
      stmts.push(`CREATE INDEX IF NOT EXISTS ${name(`fk_${c.column}`)} ON ${t} (${q(c.column)}) WHERE ${MAIN_CURRENT}`);
    } else if (c.relationship?.cardinality === 'many') {
      stmts.push(`CREATE INDEX IF NOT EXISTS ${name(`m2m_${c.column}`)} ON ${t} USING gin (${q(c.column)}) WHERE ${MAIN_CURRENT}`);
    } else if (c.attribute && (c.attribute.kind === 'IPHost' || c.attribute.kind === 'IPNetwork')) {
      stmts.push(`CREATE INDEX IF NOT EXISTS ${name(`net_${c.column}`)} ON ${t} USING gist (${q(c.column)} inet_ops) WHERE ${MAIN_CURRENT}`);
    }
  }
  if (kind.orderBy[0] && kind.attributes.some((a) => a.name === kind.orderBy[0]!.field)) {
    const f = kind.orderBy[0].field;
    stmts.push(`CREATE INDEX IF NOT EXISTS ${name(`ord_${f}`)} ON ${t} (${q(f)}, id) WHERE ${MAIN_CURRENT} AND NOT _deleted`);
  }
  return stmts;
}

export async function syncTables(pool: pg.Pool, schema: CompiledSchema): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
    // index builds on large tables may take longer than a request's statement limit
    await client.query('SET LOCAL statement_timeout = 0');
    for (const kind of schema.kinds.values()) {
      for (const stmt of kindDdl(kind)) await client.query(stmt);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
