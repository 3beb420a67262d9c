// What a branch changed, read side of the participant protocol: per-node states (base at
// branched_from, branch now, main now), classification into ADDED/UPDATED/REMOVED with field
// changes and conflicts, and the diff. Merge and rebase (the write side) are in merge.ts.
// Work is proportional to the rows changed on the branch: each step reads the branch's current
// rows by the (branch, valid_from) index and looks up their main versions by id.
import type pg from 'pg';
import { errors } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import { dataColumns, type DataColumn } from './columns.ts';
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

export interface NodeState {
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

export function fieldName(c: DataColumn): string {
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

export async function loadStates(db: pg.PoolClient | pg.Pool, kind: Kind, branch: BranchRef, kindsFilter?: Set<string>): Promise<NodeState[]> {
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
export function classify(s: NodeState): NodeChange | null {
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
  const pairs: { s: NodeState; change: NodeChange }[] = [];
  for (const kind of schema.kinds.values()) {
    for (const s of await loadStates(db, kind, branch, filter)) {
      const change = classify(s);
      if (!change) continue;
      change.display = await renderDisplay(kind, (s.branch._deleted ? s.base : s.branch) ?? s.branch);
      pairs.push({ s, change });
    }
  }
  await flagDanglingReferences(db, schema, branch, pairs);
  const out = pairs.map((p) => p.change);
  out.sort((a, b) => a.kind.localeCompare(b.kind) || a.display.localeCompare(b.display) || a.id.localeCompare(b.id));
  return out;
}

/** The relationship values a branch change would bring to main: field name -> referenced ids. */
export function referencesOf(s: NodeState, change: NodeChange): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (change.action === 'REMOVED') return out;
  const changed = new Set(change.fields.map((f) => f.name));
  for (const r of s.kind.relationships) {
    if (change.action === 'UPDATED' && !changed.has(r.name)) continue;
    const v = s.branch[r.column];
    const ids = (Array.isArray(v) ? v : v ? [v] : []).map(String);
    if (ids.length) out.set(r.name, ids);
  }
  return out;
}

/** Ids among `ids` that are live nodes on main now (any kind). */
export async function liveOnMain(db: pg.Pool | pg.PoolClient, schema: CompiledSchema, ids: readonly string[]): Promise<Set<string>> {
  const live = new Set<string>();
  if (!ids.length) return live;
  const { rows } = await db.query<{ id: string; kind: string }>('SELECT id, kind FROM node_index WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]);
  const byKind = new Map<string, string[]>();
  for (const r of rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.id]);
  for (const [kindName, kindIds] of byKind) {
    const kind = schema.kinds.get(kindName);
    if (!kind) continue;
    const found = await db.query<{ id: string }>(`SELECT id FROM ${q(kind.table)} WHERE _branch = 'main' AND _valid_to IS NULL AND NOT _deleted AND id = ANY($1::uuid[])`, [
      kindIds,
    ]);
    for (const r of found.rows) live.add(r.id);
  }
  return live;
}

/**
 * A branch change that points at a node removed on main since the branch point (and not added
 * back by the branch) would leave a dangling reference on main: flagged as a REMOVED_ON_MAIN
 * conflict of that field (resolution MAIN keeps main's value of the field).
 */
async function flagDanglingReferences(db: pg.Pool | pg.PoolClient, schema: CompiledSchema, branch: BranchRef, pairs: { s: NodeState; change: NodeChange }[]): Promise<void> {
  const refs = pairs.map((p) => ({ ...p, refs: referencesOf(p.s, p.change) }));
  const all = refs.flatMap((r) => [...r.refs.values()].flat());
  if (!all.length) return;
  const live = await liveOnMain(db, schema, all);
  const missing = all.filter((id) => !live.has(id));
  if (!missing.length) return;
  const addedOnBranch = await liveOnBranch(db, schema, branch, missing);
  for (const { s, change, refs: byField } of refs) {
    for (const [field, ids] of byField) {
      const gone = ids.filter((id) => !live.has(id) && !addedOnBranch.has(id));
      if (!gone.length) continue;
      const id = `${s.id}/${field}`;
      if (change.conflicts.some((c) => c.id === id || c.field === '*')) continue;
      const fc = change.fields.find((f) => f.name === field);
      if (fc) fc.conflict = true;
      change.conflicts.push({ id, kind: s.kind.kind, node_id: s.id, field, type: 'REMOVED_ON_MAIN', base: fc?.old ?? null, branch: fc?.new ?? gone, main: null });
    }
  }
}

/** Ids among `ids` that are live on the branch itself (its own current, not deleted rows). */
async function liveOnBranch(db: pg.Pool | pg.PoolClient, schema: CompiledSchema, branch: BranchRef, ids: readonly string[]): Promise<Set<string>> {
  const live = new Set<string>();
  const { rows } = await db.query<{ id: string; kind: string }>('SELECT id, kind FROM node_index WHERE id = ANY($1::uuid[])', [[...new Set(ids)]]);
  for (const r of rows) {
    const kind = schema.kinds.get(r.kind);
    if (!kind) continue;
    const found = await db.query(`SELECT 1 FROM ${q(kind.table)} WHERE _branch = $1 AND _valid_to IS NULL AND NOT _deleted AND id = $2`, [branch.name, r.id]);
    if (found.rowCount) live.add(r.id);
  }
  return live;
}

export interface Resolution {
  conflict_id: string;
  selected: Side;
}

export function resolutionMap(conflicts: Conflict[], resolutions: Resolution[]): Map<string, Side> {
  const map = new Map(resolutions.map((r) => [r.conflict_id, r.selected]));
  const unresolved = conflicts.filter((c) => !map.has(c.id));
  if (unresolved.length) {
    throw errors.conflict(`Branch has ${unresolved.length} unresolved conflict(s)`, { conflicts: unresolved.map((c) => c.id) });
  }
  return map;
}
