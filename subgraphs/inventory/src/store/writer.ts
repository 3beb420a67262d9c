// Mutations as new versions (never in-place updates): create, update, upsert, delete and bulk
// create, each in one transaction. Every input is validated and every reference resolved before
// the first row is written, so a failed mutation writes nothing. Change events go to the
// transactional outbox in the same transaction.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CHANGES_TOPIC, errors, type ChangeEvent } from '@strata/shared';
import type { CompiledSchema, Kind, Relationship } from '../model/kinds.ts';
import { dataColumns, SYSTEM_NAMES } from './columns.ts';
import { dbError } from './db-errors.ts';
import { renderDisplay } from './display.ts';
import { Reader, type Limits, type Row } from './reader.ts';
import type { ReadScope } from './scope.ts';
import { Params, q } from './sql.ts';
import { visibleRows } from './scope.ts';
import { hfidToRef } from './hfid.ts';
import { checkValue, outputValue } from './values.ts';

export interface Actor {
  userId: string | null;
  userName: string | null;
  requestId: string;
}

export type NodeInput = Record<string, unknown>;
type Values = Record<string, unknown>;

const CHUNK = 1000;
/** after a bulk create this large, refresh the planner's statistics (fresh tables look empty) */
const ANALYZE_AFTER = 500;

interface Problem {
  field: string;
  reason: string;
  index?: number;
}

/** A write transaction on one branch. */
export class WriteTx {
  readonly reader: Reader;
  private events: ChangeEvent[] = [];
  private problems: Problem[] = [];
  constructor(
    readonly client: pg.PoolClient,
    readonly schema: CompiledSchema,
    readonly scope: ReadScope,
    readonly actor: Actor,
    readonly now: Date,
    limits: Limits,
  ) {
    this.reader = new Reader(client, schema, scope, limits);
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

  private async resolveRelationInput(kind: Kind, rel: Relationship, raw: unknown, values: Values, index?: number): Promise<void> {
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
      const kindName = await this.kindOfId(ref.id);
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
    if (found.length === 1) return found[0]!;
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

  async kindOfId(id: string): Promise<string | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const { rows } = await this.client.query<{ kind: string }>('SELECT kind FROM node_index WHERE id = $1', [id]);
    return rows[0]?.kind ?? null;
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
      const p = new Params();
      const arrays = cols.map((col, i) => `${p.add(probe.map((x) => x.vals[i]))}::${types.get(col) ?? 'text'}[]`);
      const sql = `SELECT r.id, ${cols.map((c, i) => `r.${q(c)} AS k${i}`).join(', ')} FROM ${visibleRows(kind, this.scope, p)} r
        WHERE (${cols.map((c) => `r.${q(c)}`).join(', ')}) IN (SELECT * FROM unnest(${arrays.join(', ')}))`;
      const { rows } = await this.client.query<Record<string, unknown>>(sql, p.values);
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
    const ids = [...wanted.keys()];
    const { rows } = await this.client.query<{ id: string; kind: string }>('SELECT id, kind FROM node_index WHERE id = ANY($1::uuid[])', [ids]);
    const byKind = new Map<string, string[]>();
    for (const r of rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.id]);
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
    for (let i = 0; i < prepared.length; i += CHUNK) {
      const p = new Params();
      const tuples = prepared.slice(i, i + CHUNK).map((x) => `(${p.add(x.id)}::uuid, ${p.add(kind.kind)}, ${p.add(this.scope.branch)}, ${p.add(this.now)})`);
      await this.client.query(`INSERT INTO node_index (id, kind, branch, created) VALUES ${tuples.join(', ')}`, p.values);
    }
    const rows = await this.insertVersions(kind, prepared.map((x) => ({ id: x.id, values: x.values, created: this.now, deleted: false })));
    if (rows.length >= ANALYZE_AFTER) this.bulkLoaded.add(kind.table);
    for (const row of rows) await this.recordChange(kind, 'create', null, row);
    return rows;
  }

  async update(kind: Kind, id: string, input: NodeInput): Promise<Row> {
    const current = await this.lockCurrent(kind, id);
    const values = await this.resolveInput(kind, input, 'update');
    this.throwProblems(kind);
    const merged = { ...this.valuesOf(kind, current), ...values };
    await this.checkUnique(kind, [{ id, values: merged }]);
    const row = await this.writeVersion(kind, id, merged, current._created, false);
    await this.recordChange(kind, 'update', current, row);
    return row;
  }

  async delete(kind: Kind, id: string): Promise<void> {
    const current = await this.lockCurrent(kind, id);
    await this.checkProtected(kind, id);
    if (this.scope.branch === 'main') {
      await this.closeCurrent(kind, id);
    } else {
      await this.writeVersion(kind, id, this.valuesOf(kind, current), current._created, true);
    }
    await this.recordChange(kind, 'delete', current, null);
  }

  /** Finds the node by its unique sets; updates it or creates it. */
  async upsert(kind: Kind, input: NodeInput): Promise<{ row: Row; created: boolean }> {
    const existing = await this.findExisting(kind, input);
    const { id: _id, ...data } = input;
    if (existing) return { row: await this.update(kind, existing, data), created: false };
    if (typeof input.id === 'string') throw errors.notFound('Node not found', { kind: kind.kind, id: input.id });
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
      const rows = await this.reader.list(kind, { filters, pagination: { limit: 1 } });
      if (rows[0]) return rows[0].id;
    }
    if (!kind.uniqueSets.length) throw errors.validation(`${kind.name} has no uniqueness constraint to upsert on`);
    return null;
  }

  private async checkProtected(kind: Kind, id: string): Promise<void> {
    for (const rev of kind.reverse) {
      if (rev.relationship.cardinality !== 'one') continue;
      const source = this.schema.kinds.get(rev.sourceKind)!;
      const onDelete = rev.relationship.onDelete;
      const rows = await this.reader.list(source, { filters: { [rev.relationship.column]: id }, pagination: { limit: onDelete === 'protect' ? 1 : 100_000 } });
      if (!rows.length) continue;
      if (onDelete === 'protect') {
        throw errors.validation(`Cannot delete ${kind.name} ${id}: it is referenced by ${source.name} ${rows[0]!.id} (${rev.relationship.name})`, {
          referenced_by: { kind: source.kind, id: rows[0]!.id, field: rev.relationship.name },
        });
      }
      for (const r of rows) {
        if (onDelete === 'cascade') await this.delete(source, r.id);
        else await this.update(source, r.id, { [rev.relationship.name]: null });
      }
    }
  }

  // ---- version rows ------------------------------------------------------------------------

  private async lockCurrent(kind: Kind, id: string): Promise<Row> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw errors.notFound(`${kind.name} not found: ${id}`);
    // Serialise writers per node (READ COMMITTED then re-reads the fresh current version).
    const { rows: idx } = await this.client.query<{ kind: string }>('SELECT kind FROM node_index WHERE id = $1 FOR UPDATE', [id]);
    if (!idx[0] || idx[0].kind !== kind.kind) throw errors.notFound(`${kind.name} not found: ${id}`);
    const [row] = await this.reader.byIds(kind, [id]);
    if (!row) throw errors.notFound(`${kind.name} not found: ${id}`);
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

  private async closeCurrent(kind: Kind, id: string): Promise<void> {
    await this.client.query(
      `UPDATE ${q(kind.table)} SET _valid_to = $1 WHERE id = $2 AND _branch = $3 AND _valid_to IS NULL`,
      [this.now, id, this.scope.branch],
    );
  }

  private async writeVersion(kind: Kind, id: string, values: Values, created: Date, deleted: boolean): Promise<Row> {
    await this.closeCurrent(kind, id);
    return this.insertVersion(kind, id, values, created, deleted);
  }

  private async insertVersion(kind: Kind, id: string, values: Values, created: Date, deleted: boolean): Promise<Row> {
    const [row] = await this.insertVersions(kind, [{ id, values, created, deleted }]);
    return row!;
  }

  /** Multi-row INSERT of new versions (chunked under Postgres' parameter limit), in input order. */
  private async insertVersions(kind: Kind, items: { id: string; values: Values; created: Date; deleted: boolean }[]): Promise<Row[]> {
    const cols = dataColumns(kind);
    const names = [...SYSTEM_NAMES, ...cols.map((c) => c.column)];
    const out: Row[] = [];
    const chunk = Math.max(1, Math.floor(30_000 / names.length));
    for (let i = 0; i < items.length; i += chunk) {
      const p = new Params();
      const tuples = items.slice(i, i + chunk).map((x) => {
        const vals = [
          p.add(x.id),
          p.add(this.scope.branch),
          p.add(this.now),
          p.add(x.deleted),
          p.add(x.created),
          p.add(this.actor.userName),
          p.add(this.actor.requestId),
          ...cols.map((c) => (c.column in x.values ? `${p.add(x.values[c.column])}::${c.sqlType}` : 'NULL')),
        ];
        return `(${vals.join(', ')})`;
      });
      try {
        const { rows } = await this.client.query<Row>(`INSERT INTO ${q(kind.table)} (${names.map(q).join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`, p.values);
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const x of items.slice(i, i + chunk)) out.push(byId.get(x.id)!);
      } catch (err) {
        throw dbError(err);
      }
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

  private async recordChange(kind: Kind, action: ChangeEvent['action'], before: Row | null, after: Row | null): Promise<void> {
    const row = (after ?? before)!;
    this.events.push({
      id: randomUUID(),
      kind: kind.kind,
      objectId: row.id,
      action,
      branch: this.scope.branch,
      time: this.now.toISOString(),
      userId: this.actor.userId,
      userName: this.actor.userName,
      requestId: this.actor.requestId,
      display: await renderDisplay(kind, row),
      prechange: before ? this.snapshot(kind, before) : null,
      postchange: after ? this.snapshot(kind, after) : null,
    });
  }

  /** Writes the collected change events to the outbox (same transaction). */
  async flushEvents(): Promise<number> {
    if (!this.events.length) return 0;
    for (let i = 0; i < this.events.length; i += CHUNK) {
      const p = new Params();
      const tuples = this.events.slice(i, i + CHUNK).map((e) => `(${p.add(CHANGES_TOPIC)}, ${p.add(JSON.stringify(e))}::jsonb)`);
      await this.client.query(`INSERT INTO outbox (topic, payload) VALUES ${tuples.join(', ')}`, p.values);
    }
    const n = this.events.length;
    this.events = [];
    return n;
  }
}

export interface WriteOptions {
  pool: pg.Pool;
  schema: CompiledSchema;
  scope: ReadScope;
  actor: Actor;
  limits: Limits;
}

/**
 * Refreshes planner statistics when a table grew well past what the planner believes (fresh
 * bulk loads otherwise look empty and get sequential scans). Doubling keeps it to a few runs.
 */
async function analyzeIfStale(client: pg.PoolClient, table: string): Promise<void> {
  const { rows } = await client.query<{ est: number; live: number }>(
    `SELECT c.reltuples::float8 AS est, coalesce(s.n_live_tup, 0)::float8 AS live
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)`,
    [q(table)],
  );
  const r = rows[0];
  if (r && (r.est < 0 || r.est * 2 < r.live)) await client.query(`ANALYZE ${q(table)}`);
}

/** Runs `fn` in one transaction; commits only if it succeeds (then returns its result). */
export async function withWriteTx<T>(opts: WriteOptions, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
  if (opts.scope.at) throw errors.badInput('Writes with at are refused');
  const client = await opts.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ now: Date }>('SELECT now() AS now');
    const tx = new WriteTx(client, opts.schema, opts.scope, opts.actor, rows[0]!.now, opts.limits);
    const result = await fn(tx);
    await tx.flushEvents();
    await client.query('COMMIT');
    for (const table of tx.bulkLoaded) await analyzeIfStale(client, table);
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw dbError(err);
  } finally {
    client.release();
  }
}
