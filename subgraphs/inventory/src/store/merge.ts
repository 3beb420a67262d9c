// The write side of branch operations, beside the data: merge (the branch's latest values onto
// main, atomically) and rebase (the branch's changes onto main's current values), each one
// versioned transaction (versioned-tx.ts) that locks every node the branch touched, so main
// writers wait for it. Merge events carry before/after data like ordinary writes and name the
// person who merged. A merge or rebase that would leave a reference to a node that no longer
// exists is refused with CONFLICT.
import type pg from 'pg';
import { errors } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import { classify, fieldName, liveOnMain, loadStates, referencesOf, resolutionMap, type BranchRef, type NodeChange, type NodeState, type Resolution } from './branch-changes.ts';
import { dataColumns, type DataColumn } from './columns.ts';
import { renderDisplay } from './display.ts';
import { q } from './sql.ts';
import { runVersionedTx, type Actor, type NewVersion, type Values, type VersionedTx } from './versioned-tx.ts';
import { snapshot } from './writer.ts';

interface PlannedWrite {
  kind: Kind;
  id: string;
  /** null = end the current version without a successor (a delete on main) */
  values: Values | null;
  created: Date;
  tombstone?: boolean;
  /** main's version before the merge (change events) */
  before: Record<string, unknown> | null;
}

export interface BranchOpOptions {
  pool: pg.Pool;
  schema: CompiledSchema;
  branch: BranchRef;
  resolutions: Resolution[];
  actor: Actor;
  statementTimeoutMs?: number;
  /** called inside the transaction after the writes, before COMMIT (tests inject failures) */
  beforeCommit?: () => void | Promise<void>;
}

export interface MergeResult {
  merged: number;
  changes: number;
  merged_at: string;
}

export interface RebaseResult {
  rebased: number;
  branched_from: string;
}

function pick(cols: DataColumn[], row: Record<string, unknown>): Values {
  const out: Values = {};
  for (const c of cols) {
    const v = row[c.column];
    out[c.column] = c.sqlType === 'jsonb' && v !== null && v !== undefined ? JSON.stringify(v) : v;
  }
  return out;
}

/** Locks every node the branch touched (exclusive, id order) and reads their states. */
async function lockAndLoad(vtx: VersionedTx, schema: CompiledSchema, branch: BranchRef): Promise<{ s: NodeState; change: NodeChange }[]> {
  const ids: string[] = [];
  for (const kind of schema.kinds.values()) {
    const { rows } = await vtx.client.query<{ id: string }>(`SELECT id FROM ${q(kind.table)} WHERE _branch = $1 AND _valid_to IS NULL`, [branch.name]);
    for (const r of rows) ids.push(r.id);
  }
  await vtx.lockNodes(ids, 'update');
  const pairs: { s: NodeState; change: NodeChange }[] = [];
  for (const kind of schema.kinds.values()) {
    for (const s of await loadStates(vtx.client, kind, branch)) {
      vtx.noteVersion(s.main?._valid_from);
      vtx.noteVersion(s.branch._valid_from);
      const change = classify(s);
      if (!change) continue;
      change.display = await renderDisplay(kind, (s.branch._deleted ? s.base : s.branch) ?? s.branch);
      pairs.push({ s, change });
    }
  }
  return pairs;
}

/** Main's new values for one branch change, honouring resolutions; null when nothing to write. */
function mergedWrite(s: NodeState, change: NodeChange, res: Map<string, 'BRANCH' | 'MAIN'>): PlannedWrite | null {
  const cols = dataColumns(s.kind);
  const whole = res.get(`${s.id}/*`);
  const before = s.main ? snapshot(s.kind, s.main) : null;
  if (change.action === 'REMOVED') {
    if (whole === 'MAIN' || !s.main) return null;
    return { kind: s.kind, id: s.id, values: null, created: s.main._created, before };
  }
  if (change.action === 'ADDED' || (!s.main && whole === 'BRANCH')) {
    return { kind: s.kind, id: s.id, values: pick(cols, s.branch), created: s.branch._created, before };
  }
  if (!s.main) return null; // removed on main, resolution MAIN
  const values = pick(cols, s.main);
  for (const f of change.fields) {
    if (f.conflict && res.get(`${s.id}/${f.name}`) === 'MAIN') continue;
    for (const c of cols) if (fieldName(c) === f.name) values[c.column] = pick([c], s.branch)[c.column];
  }
  return { kind: s.kind, id: s.id, values, created: s.main._created, before };
}

/** Referenced ids of a planned write's relationship columns. */
function referencedIds(w: PlannedWrite): { field: string; id: string }[] {
  if (!w.values || w.tombstone) return [];
  const out: { field: string; id: string }[] = [];
  for (const r of w.kind.relationships) {
    const v = w.values[r.column];
    for (const id of Array.isArray(v) ? v : v ? [v] : []) out.push({ field: r.name, id: String(id) });
  }
  return out;
}

/** A reference one node makes to another (field name and target id). */
interface Reference {
  kind: Kind;
  id: string;
  field: string;
  target: string;
}

/**
 * Refuses (CONFLICT) references to nodes that are not live on main, ignoring targets in `kept`
 * (written by the same operation). Targets are share-locked first, so a concurrent delete on main
 * either finished (the target is gone) or waits for this transaction.
 */
async function refuseMissingTargets(
  vtx: VersionedTx,
  schema: CompiledSchema,
  refs: Reference[],
  kept: ReadonlySet<string>,
  verb: string,
  alsoMissing: ReadonlySet<string> = new Set(),
): Promise<void> {
  const outside = refs.filter((r) => !kept.has(r.target));
  const targets = outside.map((r) => r.target);
  await vtx.lockNodes(targets, 'share');
  const live = await liveOnMain(vtx.client, schema, targets);
  const dangling = outside.filter((r) => !live.has(r.target) || alsoMissing.has(r.target));
  if (!dangling.length) return;
  const d = dangling[0]!;
  throw errors.conflict(`${verb} would leave ${d.kind.name} ${d.id} (${d.field}) pointing at ${d.target}, which no longer exists on main`, {
    dangling: dangling.slice(0, 50).map((x) => ({ kind: x.kind.kind, id: x.id, field: x.field, missing: x.target })),
  });
}

/**
 * Refuses writes that would leave main with a reference to a missing node: references the merge
 * brings and main's references to nodes the merge removes.
 */
async function refuseDangling(vtx: VersionedTx, schema: CompiledSchema, writes: PlannedWrite[]): Promise<void> {
  const kept = new Set(writes.filter((w) => w.values).map((w) => w.id));
  const removed = new Set(writes.filter((w) => !w.values).map((w) => w.id));
  const refs = writes.flatMap((w) => referencedIds(w).map((r) => ({ kind: w.kind, id: w.id, field: r.field, target: r.id })));
  await refuseMissingTargets(vtx, schema, refs, kept, 'Merging', removed);
  // main's own references to nodes this merge removes
  for (const w of writes) {
    if (w.values) continue;
    for (const rev of w.kind.referrers) {
      const source = schema.kinds.get(rev.sourceKind)!;
      const rel = rev.relationship;
      const match = rel.cardinality === 'one' ? `${q(rel.column)} = $1::uuid` : `$1::uuid = ANY(${q(rel.column)})`;
      const { rows } = await vtx.client.query<{ id: string }>(
        `SELECT id FROM ${q(source.table)} WHERE _branch = 'main' AND _valid_to IS NULL AND NOT _deleted AND ${match} AND NOT (id = ANY($2::uuid[])) LIMIT 1`,
        [w.id, [...removed]],
      );
      const referrer = rows[0];
      if (!referrer) continue;
      const next = writes.find((x) => x.id === referrer.id && x.values);
      if (next && !referencedIds(next).some((r) => r.id === w.id)) continue; // the merge re-points it
      throw errors.conflict(`Merging would remove ${w.kind.name} ${w.id}, which ${source.name} ${referrer.id} (${rel.name}) references on main`, {
        referenced_by: { kind: source.kind, id: referrer.id, field: rel.name },
      });
    }
  }
}

/** Writes planned versions, grouped by kind: end the current versions, insert the successors. */
async function applyWrites(vtx: VersionedTx, writes: PlannedWrite[]): Promise<Map<string, Record<string, unknown>>> {
  const byKind = new Map<Kind, PlannedWrite[]>();
  for (const w of writes) byKind.set(w.kind, [...(byKind.get(w.kind) ?? []), w]);
  const inserted = new Map<string, Record<string, unknown>>();
  for (const [kind, list] of byKind) {
    await vtx.closeVersions(
      kind,
      list.map((w) => w.id),
    );
    const items: NewVersion[] = list.filter((w) => w.values).map((w) => ({ id: w.id, values: w.values!, created: w.created, deleted: !!w.tombstone }));
    for (const row of await vtx.insertVersions(kind, items)) inserted.set(row.id, row);
  }
  return inserted;
}

/**
 * Applies the branch's latest values to main in one transaction. Refuses (CONFLICT) when a
 * conflict has no resolution, a reference would dangle, or main's unique constraints would break.
 */
export async function mergeBranch(opts: BranchOpOptions): Promise<MergeResult> {
  const { schema, branch } = opts;
  return runVersionedTx({ pool: opts.pool, branch: 'main', actor: opts.actor, statementTimeoutMs: opts.statementTimeoutMs, beforeCommit: opts.beforeCommit }, async (vtx) => {
    const pairs = await lockAndLoad(vtx, schema, branch);
    const res = resolutionMap(
      pairs.flatMap((p) => p.change.conflicts),
      opts.resolutions,
    );
    const writes = pairs.map((p) => mergedWrite(p.s, p.change, res)).filter((w): w is PlannedWrite => !!w);
    await refuseDangling(vtx, schema, writes);
    let inserted: Map<string, Record<string, unknown>>;
    try {
      inserted = await applyWrites(vtx, writes);
    } catch (err) {
      if ((err as { extensions?: { code?: string } }).extensions?.code === 'UNIQUENESS_VIOLATION') {
        throw errors.conflict('Merging would violate a uniqueness constraint on main', { constraint: (err as { extensions?: { constraint?: string } }).extensions?.constraint });
      }
      throw err;
    }
    for (const w of writes) {
      const after = inserted.get(w.id) ?? null;
      await vtx.recordChange({
        kind: w.kind.kind,
        objectId: w.id,
        action: !after ? 'delete' : w.before ? 'update' : 'create',
        display: await renderDisplay(w.kind, (after ?? pairs.find((p) => p.s.id === w.id)!.s.main ?? { id: w.id }) as never),
        prechange: w.before,
        postchange: after ? snapshot(w.kind, after) : null,
      });
    }
    const mergedAt = await vtx.stamp();
    return { merged: writes.length, changes: pairs.length, merged_at: mergedAt.toISOString() };
  });
}

/**
 * Rewrites the branch's current rows onto main's current values, keeping the branch's own changes
 * (and the resolutions' choices), so `branched_from` can move to the transaction's time.
 */
export async function rebaseBranch(opts: BranchOpOptions): Promise<RebaseResult> {
  const { schema, branch } = opts;
  return runVersionedTx({ pool: opts.pool, branch: branch.name, actor: opts.actor, statementTimeoutMs: opts.statementTimeoutMs }, async (vtx) => {
    const pairs = await lockAndLoad(vtx, schema, branch);
    const res = resolutionMap(
      pairs.flatMap((p) => p.change.conflicts),
      opts.resolutions,
    );
    const writes: PlannedWrite[] = [];
    for (const { s, change } of pairs) {
      const cols = dataColumns(s.kind);
      const whole = res.get(`${s.id}/*`);
      if (change.action === 'ADDED') continue; // nothing on main to rebase onto
      if (change.action === 'REMOVED') {
        if (s.main) writes.push({ kind: s.kind, id: s.id, values: pick(cols, s.main), created: s.main._created, tombstone: whole !== 'MAIN', before: null });
        continue;
      }
      if (!s.main) {
        // removed on main: keep the branch's version (BRANCH) or drop it (MAIN)
        if (whole === 'MAIN') writes.push({ kind: s.kind, id: s.id, values: pick(cols, s.branch), created: s.branch._created, tombstone: true, before: null });
        continue;
      }
      const values = pick(cols, s.main);
      for (const f of change.fields) {
        if (f.conflict && res.get(`${s.id}/${f.name}`) === 'MAIN') continue;
        for (const c of cols) if (fieldName(c) === f.name) values[c.column] = pick([c], s.branch)[c.column];
      }
      writes.push({ kind: s.kind, id: s.id, values, created: s.main._created, before: null });
    }
    // after the rebase the branch sees main now: its own references must still resolve there
    const kept = new Set(pairs.filter((p) => !p.s.branch._deleted).map((p) => p.s.id));
    const refs = pairs.flatMap(({ s, change }) =>
      [...referencesOf(s, { ...change, action: change.action === 'REMOVED' ? 'REMOVED' : 'ADDED' }).entries()].flatMap(([field, ids]) =>
        ids.map((target) => ({ kind: s.kind, id: s.id, field, target })),
      ),
    );
    await refuseMissingTargets(vtx, schema, refs, kept, 'Rebasing');
    await applyWrites(vtx, writes);
    const at = await vtx.stamp();
    return { rebased: writes.length, branched_from: at.toISOString() };
  });
}
