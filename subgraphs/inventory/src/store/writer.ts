// Mutations: create, update, upsert, delete and bulk create on one branch, as new versions
// written through a VersionedTx (versioned-tx.ts owns locks, timestamp, version rows and the
// outbox). Every input is validated and every reference resolved (and share-locked) before the
// first row is written, so a failed mutation writes nothing and no reference can dangle.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { errors } from '@strata/shared';
import type { CompiledSchema, Kind, Relationship } from '../model/kinds.ts';
import { dataColumns } from './columns.ts';
import { renderDisplay } from './display.ts';
import { hfidToRef } from './hfid.ts';
import { Reader, type Limits, type Row } from './reader.ts';
import type { ReadScope } from './scope.ts';
import { visibleRows } from './scope.ts';
import { Params, q } from './sql.ts';
import { checkValue, outputValue } from './values.ts';
import { isUuid, runVersionedTx, type Actor, type VersionedTx } from './versioned-tx.ts';

export type { Actor } from './versioned-tx.ts';
export type NodeInput = Record<string, unknown>;
type Values = Record<string, unknown>;

/** after a bulk create this large, refresh the planner's statistics (fresh tables look empty) */
const ANALYZE_AFTER = 500;

interface Problem {
  field: string;
  reason: string;
  index?: number;
}

/** Optimistic precondition of `_update`, `_upsert` and `_delete` (docs/api.md#mutations). */
export interface Precondition {
  /** the object's `last_updated` as the client saw it; CONFLICT when it changed since */
  ifLastUpdated?: string | null;
}

/** Mutations on one branch inside one versioned transaction. */
export class WriteTx {
  readonly reader: Reader;
  private problems: Problem[] = [];
  constructor(
    readonly vtx: VersionedTx,
    readonly schema: CompiledSchema,
    readonly scope: ReadScope,
    limits: Limits,
  ) {
    this.reader = new Reader(vtx.client, schema, scope, limits);
  }

  // ---- validation -------------------------------------------------------------------------

  private problem(field: string, reason: string, index?: number): void {
    this.problems.push({ field, reason, index });
  }

  private throwProblems(kind: Kind): void {
    if (!this.problems.length) return;
    const first = this.problems[0]!;
    const where = first.index !== undefined ? ` (item ${first.index})` : '';
    const message = `${kind.name}.${first.field}${where}: ${first.reason}`;
    const problems = this.problems;
    this.problems = [];
    throw errors.validation(message, { problems });
  }

  /** Turns a mutation input into column values (validated, references resolved). */
  async resolveInput(kind: Kind, input: NodeInput, mode: 'create' | 'update', index?: number): Promise<Values> {
    const values: Values = {};
    for (const [key, raw] of Object.entries(input)) {
      if (raw === undefined) continue;
      const attr = kind.attributes.find((a) => a.name === key);
      if (attr) {
        if (raw === null) {
          if (!attr.optional) this.problem(key, 'is required', index);
          else values[attr.name] = attr.kind === 'Text' || attr.kind === 'TextArea' ? '' : null;
          continue;
        }
        const checked = checkValue(attr, raw);
        if (!checked.ok) this.problem(key, checked.reason, index);
        else values[attr.name] = attr.kind === 'JSON' || attr.kind === 'ListNumber' || attr.kind === 'ListText' ? JSON.stringify(checked.value) : checked.value;
        continue;
      }
      const rel = kind.relationships.find((r) => r.name === key);
      if (rel) {
        await this.resolveRelationInput(kind, rel, raw, values, index);
        continue;
      }
      this.problem(key, 'is not a field of this kind', index);
    }
    if (mode === 'create') {
      for (const attr of kind.attributes) {
        if (attr.name in values) continue;
        if (attr.default !== undefined) {
          values[attr.name] = attr.kind === 'JSON' ? JSON.stringify(attr.default) : attr.default;
        } else if (!attr.optional) this.problem(attr.name, 'is required', index);
        else if (attr.kind === 'Text' || attr.kind === 'TextArea') values[attr.name] = '';
      }
      for (const rel of kind.relationships) {
        if (rel.cardinality === 'one' && !rel.optional && values[rel.column] == null) this.problem(rel.name, 'is required', index);
        if (rel.cardinality === 'many' && !(rel.column in values)) values[rel.column] = [];
      }
    }
    return values;
  }

  private async resolveRelationInput(_kind: Kind, rel: Relationship, raw: unknown, values: Values, index?: number): Promise<void> {
    if (rel.cardinality === 'one') {
      if (raw === null) {
        if (!rel.optional) this.problem(rel.name, 'is required', index);
        values[rel.column] = null;
        if (rel.kindColumn) values[rel.kindColumn] = null;
        return;
      }
      const peer = await this.resolveRef(rel, raw, index);
      if (peer) {
        values[rel.column] = peer.id;
        if (rel.kindColumn) values[rel.kindColumn] = peer.kind;
      }
      return;
    }
    if (raw === null) {
      values[rel.column] = [];
      return;
    }
    if (!Array.isArray(raw)) {
      this.problem(rel.name, 'takes a list of references', index);
      return;
    }
    const ids: string[] = [];
    for (const item of raw) {
      const peer = await this.resolveRef(rel, item, index);
      if (peer && !ids.includes(peer.id)) ids.push(peer.id);
    }
    values[rel.column] = ids;
  }

  /** tables that received a bulk load in this transaction (ANALYZEd after commit) */
  readonly bulkLoaded = new Set<string>();
  private refCache = new Map<string, { id: string; kind: string }>();

  /** `{id}`, an id string, or a unique attribute set of the peer (`{slug: "ams1"}`); cached per transaction. */
  async resolveRef(rel: Relationship, raw: unknown, index?: number, label: string = rel.name): Promise<{ id: string; kind: string } | null> {
    const key = `${rel.peer}|${JSON.stringify(raw)}`;
    const hit = this.refCache.get(key);
    if (hit) return hit;
    const found = await this.resolveRefUncached(rel, raw, index, label);
    if (found) this.refCache.set(key, found);
    return found;
  }

  private async resolveRefUncached(rel: Relationship, raw: unknown, index: number | undefined, label: string): Promise<{ id: string; kind: string } | null> {
    const ref = typeof raw === 'string' ? { id: raw } : (raw as Record<string, unknown>);
    if (!ref || typeof ref !== 'object') {
      this.problem(label, 'takes {id} or a unique attribute set', index);
      return null;
    }
    const allowed = this.peerKinds(rel);
    if (typeof ref.id === 'string') {
      // share lock first: a concurrent delete of the peer either finished (we see it gone) or waits for us
      const kindName = isUuid(ref.id) ? (await this.vtx.lockNodes([ref.id], 'share')).get(ref.id) : undefined;
      const peerKind = kindName ? this.schema.kinds.get(kindName) : undefined;
      if (!peerKind) {
        this.problem(label, `no node with id ${ref.id}`, index);
        return null;
      }
      if (!allowed.includes(peerKind)) {
        this.problem(label, `must reference ${rel.peer}, got ${peerKind.kind}`, index);
        return null;
      }
      const rows = await this.reader.byIds(peerKind, [ref.id]);
      if (!rows.length) {
        this.problem(label, `no node with id ${ref.id} on branch ${this.scope.branch}`, index);
        return null;
      }
      return { id: ref.id, kind: peerKind.kind };
    }
    const { kind: kindHint, hfid, ...attrs } = ref as { kind?: unknown; hfid?: unknown } & Record<string, unknown>;
    const candidates = typeof kindHint === 'string' ? allowed.filter((k) => k.kind === kindHint || k.name === kindHint) : allowed;
    const found: { id: string; kind: string }[] = [];
    for (const peer of candidates) {
      let byAttrs = attrs;
      if (hfid !== undefined) {
        const converted = Array.isArray(hfid) && hfid.every((x) => typeof x === 'string') ? hfidToRef(this.schema, peer, hfid as string[]) : null;
        if (!converted) continue;
        byAttrs = { ...attrs, ...converted };
      }
      const ids = await this.findByAttributes(peer, byAttrs, label, index);
      if (ids === null) return null;
      for (const id of ids) found.push({ id, kind: peer.kind });
    }
    if (found.length === 1) {
      const peer = found[0]!;
      await this.vtx.lockNodes([peer.id], 'share');
      const peerKind = this.schema.kinds.get(peer.kind)!;
      if ((await this.reader.byIds(peerKind, [peer.id])).length) return peer;
      this.problem(label, `no ${rel.peer} matches ${JSON.stringify(ref)} (it was deleted meanwhile)`, index);
      return null;
    }
    this.problem(label, found.length ? `reference ${JSON.stringify(ref)} is ambiguous` : `no ${rel.peer} matches ${JSON.stringify(ref)}`, index);
    return null;
  }

  private async findByAttributes(peer: Kind, attrs: Record<string, unknown>, field: string, index?: number): Promise<string[] | null> {
    const keys = Object.keys(attrs).filter((k) => attrs[k] !== undefined);
    if (!keys.length) {
      this.problem(field, 'reference needs id or unique attributes', index);
      return null;
    }
    const filters: Record<string, unknown> = {};
    for (const k of keys) {
      const rel = peer.relationships.find((r) => r.name === k && r.cardinality === 'one');
      if (rel) {
        const nested = await this.resolveRef(rel, attrs[k], index, `${field}.${k}`);
        if (!nested) return null;
        filters[rel.column] = nested.id;
      } else if (peer.attributes.some((a) => a.name === k)) {
        filters[k] = { exact: attrs[k] };
      } else {
        this.problem(field, `${k} is not a field of ${peer.kind}`, index);
        return null;
      }
    }
    const rows = await this.reader.list(peer, { filters, pagination: { limit: 2 } });
    return rows.map((r) => r.id);
  }

  private peerKinds(rel: Relationship): Kind[] {
    const k = this.schema.kinds.get(rel.peer);
    if (k) return [k];
    return (this.schema.generics.get(rel.peer)?.implementers ?? []).map((n) => this.schema.kinds.get(n)!);
  }

  /**
   * Checks unique sets within the batch and against the rows visible on this branch (one
   * statement per unique set for the whole batch).
   */
  private async checkUnique(kind: Kind, candidates: { id: string; values: Values; index?: number }[]): Promise<void> {
    const types = new Map(dataColumns(kind).map((c) => [c.column, c.sqlType]));
    for (const set of kind.uniqueSets) {
      const cols = set.map((n) => kind.relationships.find((r) => r.name === n)?.column ?? n);
      const seen = new Map<string, string>();
      const probe: { id: string; vals: unknown[] }[] = [];
      for (const c of candidates) {
        const vals = cols.map((col) => c.values[col]);
        if (vals.some((v) => v === null || v === undefined || v === '')) continue;
        const key = JSON.stringify(vals);
        if (seen.has(key)) {
          throw errors.uniqueness(`${kind.name} with ${set.join(', ')} = ${vals.join(', ')} appears twice in the request`, { fields: set });
        }
        seen.set(key, c.id);
        probe.push({ id: c.id, vals });
      }
      if (!probe.length) continue;
      // one writer per unique key at a time, on every branch: the check below stays true until commit
      await this.vtx.lockKeys(probe.map((x) => uniqueKey(kind, set, x.vals)));
      const p = new Params();
      const arrays = cols.map((col, i) => `${p.add(probe.map((x) => x.vals[i]))}::${types.get(col) ?? 'text'}[]`);
      const sql = `SELECT r.id, ${cols.map((c, i) => `r.${q(c)} AS k${i}`).join(', ')} FROM ${visibleRows(kind, this.scope, p)} r
        WHERE (${cols.map((c) => `r.${q(c)}`).join(', ')}) IN (SELECT * FROM unnest(${arrays.join(', ')}))`;
      const { rows } = await this.vtx.client.query<Record<string, unknown>>(sql, p.values);
      for (const row of rows) {
        const key = JSON.stringify(cols.map((_, i) => row[`k${i}`]));
        const owner = seen.get(key);
        if (owner === undefined || owner === row.id) continue;
        const vals = cols.map((_, i) => row[`k${i}`]);
        throw errors.uniqueness(`A ${kind.name} with ${set.join(', ')} = ${vals.map((v) => JSON.stringify(v)).join(', ')} already exists`, {
          fields: set,
          existing_id: row.id,
        });
      }
    }
  }

  // ---- operations --------------------------------------------------------------------------

  /**
   * Resolves every `{id}` reference of a batch up front: one node_index lookup and one
   * statement per peer kind, instead of two statements per distinct reference.
   */
  private async prefetchIdRefs(kind: Kind, inputs: NodeInput[]): Promise<void> {
    const wanted = new Map<string, Relationship[]>();
    for (const input of inputs) {
      for (const rel of kind.relationships) {
        const raw = input[rel.name];
        const refs = rel.cardinality === 'many' && Array.isArray(raw) ? raw : [raw];
        for (const ref of refs) {
          const id = typeof ref === 'string' ? ref : ref && typeof ref === 'object' && Object.keys(ref).length === 1 ? (ref as { id?: unknown }).id : undefined;
          if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) continue;
          const list = wanted.get(id) ?? [];
          if (!list.includes(rel)) list.push(rel);
          wanted.set(id, list);
        }
      }
    }
    if (wanted.size < 2) return;
    // share locks first, then the visibility check (a concurrent delete either finished or waits)
    const kinds = await this.vtx.lockNodes([...wanted.keys()], 'share');
    const byKind = new Map<string, string[]>();
    for (const [id, k] of kinds) byKind.set(k, [...(byKind.get(k) ?? []), id]);
    for (const [kindName, kindIds] of byKind) {
      const peerKind = this.schema.kinds.get(kindName);
      if (!peerKind) continue;
      const visible = new Set((await this.reader.byIds(peerKind, kindIds)).map((r) => r.id));
      for (const id of kindIds) {
        if (!visible.has(id)) continue;
        for (const rel of wanted.get(id)!) {
          if (!this.peerKinds(rel).includes(peerKind)) continue;
          const found = { id, kind: peerKind.kind };
          this.refCache.set(`${rel.peer}|${JSON.stringify({ id })}`, found);
          this.refCache.set(`${rel.peer}|${JSON.stringify(id)}`, found);
        }
      }
    }
  }

  async create(kind: Kind, inputs: NodeInput[]): Promise<Row[]> {
    await this.prefetchIdRefs(kind, inputs);
    const prepared: { id: string; values: Values; index?: number }[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const values = await this.resolveInput(kind, inputs[i]!, 'create', inputs.length > 1 ? i : undefined);
      prepared.push({ id: randomUUID(), values, index: inputs.length > 1 ? i : undefined });
    }
    this.throwProblems(kind);
    await this.checkUnique(kind, prepared);
    await this.vtx.indexNodes(
      kind,
      prepared.map((x) => x.id),
    );
    const created = await this.vtx.stamp();
    const rows = (await this.vtx.insertVersions(
      kind,
      prepared.map((x) => ({ id: x.id, values: x.values, created, deleted: false })),
    )) as Row[];
    if (rows.length >= ANALYZE_AFTER) this.bulkLoaded.add(kind.table);
    for (const row of rows) await this.recordChange(kind, 'create', null, row);
    return rows;
  }

  async update(kind: Kind, id: string, input: NodeInput, pre: Precondition = {}): Promise<Row> {
    const current = await this.lockCurrent(kind, id, pre);
    const values = await this.resolveInput(kind, input, 'update');
    this.throwProblems(kind);
    const old = this.valuesOf(kind, current);
    const merged = { ...old, ...values };
    await this.lockKeysOf(kind, old); // a create of the value this update frees waits for it
    await this.checkUnique(kind, [{ id, values: merged }]);
    const [row] = (await this.vtx.replaceVersions(kind, [{ id, values: merged, created: current._created, deleted: false }])) as Row[];
    await this.recordChange(kind, 'update', current, row!);
    return row!;
  }

  async delete(kind: Kind, id: string, pre: Precondition = {}): Promise<void> {
    const current = await this.lockCurrent(kind, id, pre);
    await this.lockKeysOf(kind, this.valuesOf(kind, current)); // a create of a freed value waits for us
    await this.releaseReferences(kind, id);
    if (this.scope.branch === 'main') {
      await this.vtx.closeVersions(kind, [id]);
    } else {
      // a tombstone hides main's version on the branch
      await this.vtx.replaceVersions(kind, [{ id, values: this.valuesOf(kind, current), created: current._created, deleted: true }]);
    }
    await this.recordChange(kind, 'delete', current, null);
  }

  /** Finds the node by its unique sets; updates it or creates it. */
  async upsert(kind: Kind, input: NodeInput, pre: Precondition = {}): Promise<{ row: Row; created: boolean }> {
    const existing = await this.findExisting(kind, input);
    const { id: _id, ...data } = input;
    if (existing) return { row: await this.update(kind, existing, data, pre), created: false };
    if (typeof input.id === 'string') throw errors.notFound('Node not found', { kind: kind.kind, id: input.id });
    if (pre.ifLastUpdated != null) throw errors.conflict(`${kind.name} does not exist (if_last_updated was given)`, { kind: kind.kind });
    const [row] = await this.create(kind, [data]);
    return { row: row!, created: true };
  }

  private async findExisting(kind: Kind, input: NodeInput): Promise<string | null> {
    if (typeof input.id === 'string') return input.id;
    for (const set of kind.uniqueSets) {
      if (!set.every((n) => input[n] !== undefined && input[n] !== null)) continue;
      const filters: Record<string, unknown> = {};
      let resolvable = true;
      for (const n of set) {
        const rel = kind.relationships.find((r) => r.name === n);
        if (rel) {
          const peer = await this.resolveRef(rel, input[n]);
          if (!peer) {
            resolvable = false;
            break;
          }
          filters[rel.column] = peer.id;
        } else {
          const attr = kind.attributes.find((a) => a.name === n)!;
          const checked = checkValue(attr, input[n]);
          if (!checked.ok) {
            resolvable = false;
            break;
          }
          filters[n] = { exact: checked.value };
        }
      }
      this.problems = [];
      if (!resolvable) continue;
      // the same key lock a create takes: concurrent upserts of one key end in one create and updates
      await this.vtx.lockKeys([
        uniqueKey(
          kind,
          set,
          set.map((n) => keyValue(filters[kind.relationships.find((r) => r.name === n)?.column ?? n])),
        ),
      ]);
      const rows = await this.reader.list(kind, { filters, pagination: { limit: 1 } });
      if (rows[0]) return rows[0].id;
    }
    if (!kind.uniqueSets.length) throw errors.validation(`${kind.name} has no uniqueness constraint to upsert on`);
    return null;
  }

  /** Locks the unique keys a node's values hold (see uniqueKey). */
  private async lockKeysOf(kind: Kind, values: Values): Promise<void> {
    const keys: string[] = [];
    for (const set of kind.uniqueSets) {
      const vals = set.map((n) => values[kind.relationships.find((r) => r.name === n)?.column ?? n]);
      if (vals.some((v) => v === null || v === undefined || v === '')) continue;
      keys.push(uniqueKey(kind, set, vals));
    }
    await this.vtx.lockKeys(keys);
  }

  /**
   * Before a delete: refuses when a `protect` relation still points at the node, deletes
   * `cascade` referrers and clears `set_null` ones (to-many relations drop the id from the list).
   * The deleted node is locked exclusively, so no new reference can appear meanwhile.
   */
  private async releaseReferences(kind: Kind, id: string): Promise<void> {
    for (const rev of kind.referrers) {
      const rel = rev.relationship;
      const source = this.schema.kinds.get(rev.sourceKind)!;
      const p = new Params();
      const match = rel.cardinality === 'one' ? `r.${q(rel.column)} = ${p.add(id)}::uuid` : `${p.add(id)}::uuid = ANY(r.${q(rel.column)})`;
      const limit = rel.onDelete === 'protect' ? 1 : 100_000;
      const { rows } = await this.vtx.client.query<Row>(`SELECT r.* FROM ${visibleRows(source, this.scope, p)} r WHERE ${match} ORDER BY r.id LIMIT ${limit}`, p.values);
      if (!rows.length) continue;
      if (rel.onDelete === 'protect') {
        throw errors.validation(`Cannot delete ${kind.name} ${id}: it is referenced by ${source.name} ${rows[0]!.id} (${rel.name})`, {
          referenced_by: { kind: source.kind, id: rows[0]!.id, field: rel.name },
        });
      }
      for (const r of rows) {
        if (rel.onDelete === 'cascade') await this.delete(source, r.id);
        else if (rel.cardinality === 'one') await this.update(source, r.id, { [rel.name]: null });
        else await this.update(source, r.id, { [rel.name]: ((r[rel.column] as string[] | null) ?? []).filter((x) => x !== id) });
      }
    }
  }

  // ---- version rows ------------------------------------------------------------------------

  /** Locks a node for a change and reads its current version (checking the precondition). */
  private async lockCurrent(kind: Kind, id: string, pre: Precondition = {}): Promise<Row> {
    if (!isUuid(id)) throw errors.notFound(`${kind.name} not found: ${id}`, { kind: kind.kind, id });
    // Serialise writers per node (READ COMMITTED then re-reads the fresh current version).
    const kinds = await this.vtx.lockNodes([id], 'update');
    if (kinds.get(id) !== kind.kind) throw errors.notFound(`${kind.name} not found: ${id}`, { kind: kind.kind, id });
    const [row] = await this.reader.byIds(kind, [id]);
    if (!row) throw errors.notFound(`${kind.name} not found: ${id}`, { kind: kind.kind, id });
    this.vtx.noteVersion(row._valid_from);
    if (pre.ifLastUpdated != null) {
      const expected = new Date(pre.ifLastUpdated);
      if (Number.isNaN(expected.getTime())) throw errors.badInput('if_last_updated must be an ISO 8601 date-time', { field: 'if_last_updated' });
      if (expected.getTime() !== row._valid_from.getTime()) {
        throw errors.conflict(`${kind.name} ${id} changed since ${pre.ifLastUpdated} (last_updated is ${row._valid_from.toISOString()})`, {
          kind: kind.kind,
          id,
          last_updated: row._valid_from.toISOString(),
        });
      }
    }
    return row;
  }

  private valuesOf(kind: Kind, row: Row): Values {
    const out: Values = {};
    for (const c of dataColumns(kind)) {
      const v = row[c.column];
      out[c.column] = c.sqlType === 'jsonb' && v !== null && v !== undefined ? JSON.stringify(v) : v;
    }
    return out;
  }

  // ---- change events -----------------------------------------------------------------------

  snapshot(kind: Kind, row: Row): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const a of kind.attributes) out[a.name] = outputValue(a, row[a.name]);
    for (const r of kind.relationships) out[r.cardinality === 'one' ? r.column : r.name] = row[r.column] ?? (r.cardinality === 'many' ? [] : null);
    return out;
  }

  private async recordChange(kind: Kind, action: 'create' | 'update' | 'delete', before: Row | null, after: Row | null): Promise<void> {
    const row = (after ?? before)!;
    await this.vtx.recordChange({
      kind: kind.kind,
      objectId: row.id,
      action,
      display: await renderDisplay(kind, row),
      prechange: before ? snapshot(kind, before) : null,
      postchange: after ? snapshot(kind, after) : null,
    });
  }
}

/** A node's attributes and relations as change-log data (`prechange`/`postchange`). */
export function snapshot(kind: Kind, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of kind.attributes) out[a.name] = outputValue(a, row[a.name]);
  for (const r of kind.relationships) out[r.cardinality === 'one' ? r.column : r.name] = row[r.column] ?? (r.cardinality === 'many' ? [] : null);
  return out;
}

/** The advisory-lock key of one unique value set of a kind (the same on every branch). */
function uniqueKey(kind: Kind, set: readonly string[], values: readonly unknown[]): string {
  // Values hash into KEY_BUCKETS buckets per unique set: equal values always share a lock, and a
  // bulk write of thousands of rows takes at most KEY_BUCKETS locks per set (Postgres' shared lock
  // table is small); an unrelated value in the same bucket only waits a little.
  const bucket = fnv1a(JSON.stringify(values.map(keyValue))) % KEY_BUCKETS;
  return `uq|${kind.table}|${set.join(',')}|${bucket}`;
}

const KEY_BUCKETS = 128;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function keyValue(v: unknown): unknown {
  if (v && typeof v === 'object' && 'exact' in (v as Record<string, unknown>)) return keyValue((v as { exact: unknown }).exact);
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

export interface WriteOptions {
  pool: pg.Pool;
  schema: CompiledSchema;
  scope: ReadScope;
  actor: Actor;
  limits: Limits;
  statementTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Refreshes planner statistics when a table grew well past what the planner believes (fresh
 * bulk loads otherwise look empty and get sequential scans). Doubling keeps it to a few runs.
 */
async function analyzeIfStale(pool: pg.Pool, table: string): Promise<void> {
  const { rows } = await pool.query<{ est: number; live: number }>(
    `SELECT c.reltuples::float8 AS est, coalesce(s.n_live_tup, 0)::float8 AS live
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)`,
    [q(table)],
  );
  const r = rows[0];
  if (r && (r.est < 0 || r.est * 2 < r.live)) await pool.query(`ANALYZE ${q(table)}`);
}

/** Runs mutations in one versioned transaction on the scope's branch; commits only if `fn` succeeds. */
export async function withWriteTx<T>(opts: WriteOptions, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
  if (opts.scope.at) throw errors.badInput('Writes with at are refused');
  return runVersionedTx({ pool: opts.pool, branch: opts.scope.branch, actor: opts.actor, statementTimeoutMs: opts.statementTimeoutMs, signal: opts.signal }, async (vtx) => {
    const tx = new WriteTx(vtx, opts.schema, opts.scope, opts.limits);
    const result = await fn(tx);
    vtx.afterCommit(async () => {
      for (const table of tx.bulkLoaded) await analyzeIfStale(opts.pool, table).catch(() => {});
    });
    return result;
  });
}
