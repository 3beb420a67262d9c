// The inventory's side of branch operations (participant protocol): diff, conflicts, merge and
// rebase. Work is proportional to the rows changed on the branch: each step reads the branch's
// current rows by the (branch, valid_from) index and looks up their main versions by id.
import type pg from 'pg';
import { errors } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import { dataColumns, SYSTEM_NAMES, type DataColumn } from './columns.ts';
import { renderDisplay } from './display.ts';
import type { Row } from './reader.ts';
import { q } from './sql.ts';
import { outputValue } from './values.ts';

export type Action = 'ADDED' | 'UPDATED' | 'REMOVED';
export type Side = 'BRANCH' | 'MAIN';

export interface FieldChange {
  name: string;
  /** value at branched_from on main (null when added) */
  old: unknown;
  /** value on the branch (null when removed) */
  new: unknown;
  /** value on main now, when it differs from `old` */
  main?: unknown;
  conflict: boolean;
}

export interface Conflict {
  /** stable id: `<node id>/<field>` (field `*` for a delete/change conflict) */
  id: string;
  kind: string;
  node_id: string;
  field: string;
  type: 'BOTH_CHANGED' | 'REMOVED_ON_MAIN' | 'REMOVED_ON_BRANCH';
  base: unknown;
  branch: unknown;
  main: unknown;
}

export interface NodeChange {
  kind: string;
  id: string;
  display: string;
  action: Action;
  fields: FieldChange[];
  conflicts: Conflict[];
}

interface NodeState {
  kind: Kind;
  id: string;
  base: Row | null;
  branch: Row;
  main: Row | null;
}

export interface BranchRef {
  name: string;
  branchedFrom: Date;
}

function fieldName(c: DataColumn): string {
  return c.relationship ? c.relationship.name : c.column;
}

function norm(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return JSON.stringify([...v].map(String).sort());
  return JSON.stringify(v ?? null);
}

function outValue(c: DataColumn, row: Row | null): unknown {
  if (!row) return null;
  const v = row[c.column];
  if (c.attribute) return outputValue(c.attribute, v);
  return v ?? (c.relationship?.cardinality === 'many' ? [] : null);
}

async function loadStates(db: pg.PoolClient | pg.Pool, kind: Kind, branch: BranchRef, kindsFilter?: Set<string>): Promise<NodeState[]> {
  if (kindsFilter && !kindsFilter.has(kind.kind)) return [];
  const t = q(kind.table);
  const { rows: branchRows } = await db.query<Row>(`SELECT * FROM ${t} WHERE _branch = $1 AND _valid_to IS NULL`, [branch.name]);
  if (!branchRows.length) return [];
  const ids = branchRows.map((r) => r.id);
  const { rows: baseRows } = await db.query<Row>(
    `SELECT * FROM ${t} WHERE _branch = 'main' AND id = ANY($1::uuid[]) AND _valid_from <= $2 AND (_valid_to IS NULL OR _valid_to > $2)`,
    [ids, branch.branchedFrom],
  );
  const { rows: mainRows } = await db.query<Row>(`SELECT * FROM ${t} WHERE _branch = 'main' AND id = ANY($1::uuid[]) AND _valid_to IS NULL`, [ids]);
  const base = new Map(baseRows.map((r) => [r.id, r]));
  const main = new Map(mainRows.map((r) => [r.id, r]));
  return branchRows.map((b) => ({ kind, id: b.id, branch: b, base: base.get(b.id) ?? null, main: main.get(b.id) ?? null }));
}

/** Classifies one node's branch change; null when the branch ends where main started. */
function classify(s: NodeState): NodeChange | null {
  const cols = dataColumns(s.kind).filter((c) => !c.isKindColumn);
  const deleted = s.branch._deleted as boolean;
  if (!s.base && deleted) return null; // added and removed on the branch
  const action: Action = !s.base ? 'ADDED' : deleted ? 'REMOVED' : 'UPDATED';
  const fields: FieldChange[] = [];
  const conflicts: Conflict[] = [];
  const mainRemoved = !!s.base && !s.main;
  let mainChangedAny = false;
  for (const c of cols) {
    const name = fieldName(c);
    const b = norm(s.base?.[c.column]);
    const br = norm(s.branch[c.column]);
    const m = s.main ? norm(s.main[c.column]) : null;
    const changedOnBranch = action !== 'REMOVED' && b !== br;
    const changedOnMain = !!s.base && m !== null && m !== b;
    if (changedOnMain) mainChangedAny = true;
    if (action === 'REMOVED') {
      fields.push({ name, old: outValue(c, s.base), new: null, conflict: false });
      continue;
    }
    if (!changedOnBranch) continue;
    const conflict = action === 'UPDATED' && changedOnMain && m !== br;
    const fc: FieldChange = { name, old: outValue(c, s.base), new: outValue(c, s.branch), conflict };
    if (changedOnMain) fc.main = outValue(c, s.main);
    fields.push(fc);
    if (conflict) {
      conflicts.push({ id: `${s.id}/${name}`, kind: s.kind.kind, node_id: s.id, field: name, type: 'BOTH_CHANGED', base: fc.old, branch: fc.new, main: fc.main });
    }
  }
  if (action === 'UPDATED' && !fields.length) return null;
  if (action === 'UPDATED' && mainRemoved) {
    conflicts.push({ id: `${s.id}/*`, kind: s.kind.kind, node_id: s.id, field: '*', type: 'REMOVED_ON_MAIN', base: null, branch: null, main: null });
  }
  if (action === 'REMOVED' && mainChangedAny) {
    conflicts.push({ id: `${s.id}/*`, kind: s.kind.kind, node_id: s.id, field: '*', type: 'REMOVED_ON_BRANCH', base: null, branch: null, main: null });
  }
  for (const f of fields) if (conflicts.some((c) => c.field === '*')) f.conflict = true;
  return { kind: s.kind.kind, id: s.id, display: '', action, fields, conflicts };
}

export interface DiffOptions {
  kinds?: string[];
}

/** Every node the branch changed, with per-field old/new values and conflicts. */
export async function diffBranch(db: pg.Pool | pg.PoolClient, schema: CompiledSchema, branch: BranchRef, opts: DiffOptions = {}): Promise<NodeChange[]> {
  const filter = opts.kinds?.length ? new Set(opts.kinds) : undefined;
  const out: NodeChange[] = [];
  for (const kind of schema.kinds.values()) {
    for (const s of await loadStates(db, kind, branch, filter)) {
      const change = classify(s);
      if (!change) continue;
      change.display = await renderDisplay(kind, (s.branch._deleted ? s.base : s.branch) ?? s.branch);
      out.push(change);
    }
  }
  out.sort((a, b) => a.kind.localeCompare(b.kind) || a.display.localeCompare(b.display) || a.id.localeCompare(b.id));
  return out;
}

export interface Resolution {
  conflict_id: string;
  selected: Side;
}

function resolutionMap(conflicts: Conflict[], resolutions: Resolution[]): Map<string, Side> {
  const map = new Map(resolutions.map((r) => [r.conflict_id, r.selected]));
  const unresolved = conflicts.filter((c) => !map.has(c.id));
  if (unresolved.length) {
    throw errors.conflict(`Branch has ${unresolved.length} unresolved conflict(s)`, { conflicts: unresolved.map((c) => c.id) });
  }
  return map;
}

interface PlannedWrite {
  kind: Kind;
  id: string;
  /** null = close the current row without a successor (delete on main) */
  values: Record<string, unknown> | null;
  created: Date;
  tombstone?: boolean;
}

/** Main's new values for a branch change, honouring resolutions; null when nothing to write. */
function mergedValues(s: NodeState, change: NodeChange, res: Map<string, Side>): PlannedWrite | null {
  const cols = dataColumns(s.kind);
  const whole = res.get(`${s.id}/*`);
  if (change.action === 'REMOVED') {
    if (whole === 'MAIN' || !s.main) return null;
    return { kind: s.kind, id: s.id, values: null, created: s.main._created };
  }
  if (change.action === 'ADDED' || (!s.main && whole === 'BRANCH')) {
    return { kind: s.kind, id: s.id, values: pick(cols, s.branch), created: s.branch._created };
  }
  if (!s.main) return null; // removed on main, resolution MAIN
  const values = pick(cols, s.main);
  for (const f of change.fields) {
    if (f.conflict && res.get(`${s.id}/${f.name}`) === 'MAIN') continue;
    for (const c of cols) if (fieldName(c) === f.name) values[c.column] = s.branch[c.column];
  }
  return { kind: s.kind, id: s.id, values, created: s.main._created };
}

function pick(cols: DataColumn[], row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cols) {
    const v = row[c.column];
    out[c.column] = c.sqlType === 'jsonb' && v !== null && v !== undefined ? JSON.stringify(v) : v;
  }
  return out;
}

async function applyWrites(client: pg.PoolClient, branch: string, writes: PlannedWrite[], now: Date, actor: string | null, requestId: string): Promise<void> {
  const byKind = new Map<Kind, PlannedWrite[]>();
  for (const w of writes) {
    const list = byKind.get(w.kind) ?? [];
    list.push(w);
    byKind.set(w.kind, list);
  }
  for (const [kind, list] of byKind) {
    const t = q(kind.table);
    await client.query(`UPDATE ${t} SET _valid_to = $1 WHERE _branch = $2 AND _valid_to IS NULL AND id = ANY($3::uuid[])`, [now, branch, list.map((w) => w.id)]);
    const cols = dataColumns(kind);
    const inserts = list.filter((w) => w.values);
    for (let i = 0; i < inserts.length; i += 500) {
      const chunk = inserts.slice(i, i + 500);
      const params: unknown[] = [];
      const add = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const tuples = chunk.map(
        (w) =>
          `(${[add(w.id), add(branch), add(now), add(!!w.tombstone), add(w.created), add(actor), add(requestId), ...cols.map((c) => `${add(w.values![c.column] ?? null)}::${c.sqlType}`)].join(', ')})`,
      );
      const names = [...SYSTEM_NAMES, ...cols.map((c) => c.column)];
      await client.query(`INSERT INTO ${t} (${names.map(q).join(', ')}) VALUES ${tuples.join(', ')}`, params);
    }
  }
}

export interface ApplyResult {
  changes: NodeChange[];
  writes: number;
}

/** Locks every node the branch touched (in id order) so main writers wait for the merge. */
async function lockBranchNodes(client: pg.PoolClient, schema: CompiledSchema, branch: BranchRef): Promise<void> {
  const ids: string[] = [];
  for (const kind of schema.kinds.values()) {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${q(kind.table)} WHERE _branch = $1 AND _valid_to IS NULL`, [branch.name]);
    for (const r of rows) ids.push(r.id);
  }
  if (ids.length) await client.query('SELECT 1 FROM node_index WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [ids]);
}

async function statesAndChanges(client: pg.PoolClient, schema: CompiledSchema, branch: BranchRef) {
  await lockBranchNodes(client, schema, branch);
  const pairs: { s: NodeState; change: NodeChange }[] = [];
  for (const kind of schema.kinds.values()) {
    for (const s of await loadStates(client, kind, branch)) {
      const change = classify(s);
      if (change) {
        change.display = await renderDisplay(kind, (s.branch._deleted ? s.base : s.branch) ?? s.branch);
        pairs.push({ s, change });
      }
    }
  }
  return pairs;
}

/**
 * Applies the branch's latest values to main in the caller's transaction (atomic with it).
 * Refuses (CONFLICT) when a conflict has no resolution or main's unique constraints would break.
 */
export async function mergeIntoMain(
  client: pg.PoolClient,
  schema: CompiledSchema,
  branch: BranchRef,
  resolutions: Resolution[],
  now: Date,
  actor: { userName: string | null; requestId: string },
): Promise<ApplyResult & { applied: { kind: Kind; id: string; before: Row | null; after: Record<string, unknown> | null; action: Action }[] }> {
  const pairs = await statesAndChanges(client, schema, branch);
  const res = resolutionMap(pairs.flatMap((p) => p.change.conflicts), resolutions);
  const writes: PlannedWrite[] = [];
  const applied: { kind: Kind; id: string; before: Row | null; after: Record<string, unknown> | null; action: Action }[] = [];
  for (const { s, change } of pairs) {
    const w = mergedValues(s, change, res);
    if (!w) continue;
    writes.push(w);
    applied.push({ kind: s.kind, id: s.id, before: s.main, after: w.values, action: change.action });
  }
  try {
    await applyWrites(client, 'main', writes, now, actor.userName, actor.requestId);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw errors.conflict('Merging would violate a uniqueness constraint on main', { constraint: (err as { constraint?: string }).constraint });
    }
    throw err;
  }
  return { changes: pairs.map((p) => p.change), writes: writes.length, applied };
}

/**
 * Rebase: rewrites the branch's current rows onto main's current values, keeping the branch's own
 * changes (and the resolutions' choices), so `branched_from` can move to `now`.
 */
export async function rebaseOntoMain(client: pg.PoolClient, schema: CompiledSchema, branch: BranchRef, resolutions: Resolution[], now: Date, actor: { userName: string | null; requestId: string }): Promise<ApplyResult> {
  const pairs = await statesAndChanges(client, schema, branch);
  const res = resolutionMap(pairs.flatMap((p) => p.change.conflicts), resolutions);
  const writes: PlannedWrite[] = [];
  for (const { s, change } of pairs) {
    const cols = dataColumns(s.kind);
    const whole = res.get(`${s.id}/*`);
    if (change.action === 'ADDED') continue; // nothing on main to rebase onto
    if (change.action === 'REMOVED') {
      if (whole === 'MAIN' && s.main) writes.push({ kind: s.kind, id: s.id, values: pick(cols, s.main), created: s.main._created });
      else if (s.main) writes.push({ kind: s.kind, id: s.id, values: pick(cols, s.main), created: s.main._created, tombstone: true });
      continue;
    }
    if (!s.main) {
      // removed on main: keep the branch's version (BRANCH) or drop it (MAIN)
      if (whole === 'MAIN') writes.push({ kind: s.kind, id: s.id, values: pick(cols, s.branch), created: s.branch._created, tombstone: true });
      continue;
    }
    const values = pick(cols, s.main);
    for (const f of change.fields) {
      if (f.conflict && res.get(`${s.id}/${f.name}`) === 'MAIN') continue;
      for (const c of cols) if (fieldName(c) === f.name) values[c.column] = pick([c], s.branch)[c.column];
    }
    writes.push({ kind: s.kind, id: s.id, values, created: s.main._created });
  }
  await applyWrites(client, branch.name, writes, now, actor.userName, actor.requestId);
  return { changes: pairs.map((p) => p.change), writes: writes.length };
}
