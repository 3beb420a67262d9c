// The one home of versioned writes in inventory (mutations, merges, rebases): a database
// transaction on one branch that owns
//   - locks: nodes (node_index rows, exclusive to change or delete a node, shared to reference
//     it) and unique keys (advisory locks, so a check-then-insert is atomic on every branch);
//   - the commit timestamp ("stamp"): taken after the locks, at the first write, strictly after
//     every version it supersedes, so versions of a node are ordered by commit and never overlap;
//   - version rows (close the current version, insert the next one) and node_index rows;
//   - change events, written to the outbox in the same transaction;
//   - after-commit hooks.
// `runVersionedTx` retries the whole unit of work on deadlocks, serialization failures and
// timestamp inversions (a node changed after this transaction stamped). docs/architecture.md,
// "Versioned writes", explains the ordering argument.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CHANGES_TOPIC, errors, type ChangeEvent } from '@strata/shared';
import type { Kind } from '../model/kinds.ts';
import { dataColumns, SYSTEM_NAMES } from './columns.ts';
import { dbError } from './db-errors.ts';
import { Params, q } from './sql.ts';

export interface Actor {
  userId: string | null;
  userName: string | null;
  requestId: string;
}

export type Values = Record<string, unknown>;
export type VersionRow = Record<string, unknown> & { id: string; _valid_from: Date; _created: Date; _deleted?: boolean };

export interface NewVersion {
  id: string;
  values: Values;
  created: Date;
  deleted: boolean;
}

/** A node changed after this transaction took its timestamp: run the unit of work again. */
export class RetryTransaction extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryTransaction';
  }
}

const CHUNK = 1000;
const MAX_ATTEMPTS = 6;
const RETRYABLE_PG = new Set(['40001', '40P01']);

export class VersionedTx {
  private stampValue: Date | null = null;
  /** epoch ms of the newest version this transaction supersedes or depends on */
  private floor = 0;
  /** `${table}|${id}` of versions this transaction inserted */
  private readonly written = new Set<string>();
  private events: ChangeEvent[] = [];
  private readonly hooks: (() => void | Promise<void>)[] = [];

  constructor(
    readonly client: pg.PoolClient,
    readonly branch: string,
    readonly actor: Actor,
  ) {}

  // ---- locks --------------------------------------------------------------------------------

  /**
   * Locks nodes by id (in id order) and answers each found node's kind. `update` to change or
   * delete a node, `share` to reference it: a delete and a new reference to one node serialize.
   */
  async lockNodes(ids: readonly string[], mode: 'update' | 'share'): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter(isUuid))].sort();
    if (!wanted.length) return new Map();
    const { rows } = await this.client.query<{ id: string; kind: string }>(
      `SELECT id, kind FROM node_index WHERE id = ANY($1::uuid[]) ORDER BY id FOR ${mode === 'update' ? 'UPDATE' : 'SHARE'}`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r.kind]));
  }

  /** Advisory locks on unique keys (any strings), held until the end of the transaction. */
  async lockKeys(keys: readonly string[]): Promise<void> {
    const wanted = [...new Set(keys)];
    if (!wanted.length) return;
    await this.client.query(`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) k ORDER BY 1) s`, [wanted]);
  }

  /** Records a version this transaction read under a lock: the stamp will be later than it. */
  noteVersion(validFrom: Date | null | undefined): void {
    if (validFrom) this.floor = Math.max(this.floor, validFrom.getTime());
  }

  // ---- timestamp ----------------------------------------------------------------------------

  /** The transaction's timestamp (ms precision), taken at the first write. */
  async stamp(): Promise<Date> {
    if (this.stampValue) return this.stampValue;
    const { rows } = await this.client.query<{ t: Date }>(`SELECT date_trunc('milliseconds', clock_timestamp()) AS t`);
    let t = rows[0]!.t.getTime();
    if (t <= this.floor) t = this.floor + 1;
    this.stampValue = new Date(t);
    return this.stampValue;
  }

  /** The stamp if one was taken (null before the first write). */
  get stamped(): Date | null {
    return this.stampValue;
  }

  // ---- version rows -------------------------------------------------------------------------

  /**
   * Ends the current versions of `ids` on this branch at the stamp. A version this transaction
   * wrote itself is removed instead (a node written twice keeps one version per transaction).
   * A current version not older than the stamp means another transaction committed a change
   * after this one stamped: RetryTransaction.
   */
  async closeVersions(kind: Kind, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const t = await this.stamp();
    const table = q(kind.table);
    const own = ids.filter((id) => this.written.has(`${kind.table}|${id}`));
    if (own.length) {
      await this.client.query(`DELETE FROM ${table} WHERE _branch = $1 AND id = ANY($2::uuid[]) AND _valid_to IS NULL AND _valid_from = $3`, [this.branch, own, t]);
      for (const id of own) this.written.delete(`${kind.table}|${id}`);
    }
    const { rows } = await this.client.query<{ id: string; _valid_from: Date }>(
      `UPDATE ${table} SET _valid_to = $1 WHERE _branch = $2 AND id = ANY($3::uuid[]) AND _valid_to IS NULL RETURNING id, _valid_from`,
      [t, this.branch, ids],
    );
    const inverted = rows.find((r) => r._valid_from.getTime() >= t.getTime());
    if (inverted) throw new RetryTransaction(`${kind.kind} ${inverted.id} changed after this transaction took its timestamp`);
  }

  /** Registers new node ids (node_index) for this branch. */
  async indexNodes(kind: Kind, ids: readonly string[]): Promise<void> {
    const t = await this.stamp();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const p = new Params();
      const tuples = ids.slice(i, i + CHUNK).map((id) => `(${p.add(id)}::uuid, ${p.add(kind.kind)}, ${p.add(this.branch)}, ${p.add(t)})`);
      await this.client.query(`INSERT INTO node_index (id, kind, branch, created) VALUES ${tuples.join(', ')}`, p.values);
    }
  }

  /** Inserts new current versions (multi-row, chunked), returned in input order. */
  async insertVersions(kind: Kind, items: readonly NewVersion[]): Promise<VersionRow[]> {
    if (!items.length) return [];
    const t = await this.stamp();
    const cols = dataColumns(kind);
    const names = [...SYSTEM_NAMES, ...cols.map((c) => c.column)];
    const out: VersionRow[] = [];
    const chunk = Math.max(1, Math.floor(30_000 / names.length));
    for (let i = 0; i < items.length; i += chunk) {
      const slice = items.slice(i, i + chunk);
      const p = new Params();
      const tuples = slice.map((x) => {
        const vals = [
          p.add(x.id),
          p.add(this.branch),
          p.add(t),
          p.add(x.deleted),
          p.add(x.created),
          p.add(this.actor.userName),
          p.add(this.actor.requestId),
          ...cols.map((c) => (c.column in x.values ? `${p.add(x.values[c.column] ?? null)}::${c.sqlType}` : 'NULL')),
        ];
        return `(${vals.join(', ')})`;
      });
      let rows: VersionRow[];
      try {
        ({ rows } = await this.client.query<VersionRow>(`INSERT INTO ${q(kind.table)} (${names.map(q).join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`, p.values));
      } catch (err) {
        throw dbError(err);
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const x of slice) {
        out.push(byId.get(x.id)!);
        this.written.add(`${kind.table}|${x.id}`);
      }
    }
    return out;
  }

  /** Closes the current versions and inserts their successors. */
  async replaceVersions(kind: Kind, items: readonly NewVersion[]): Promise<VersionRow[]> {
    await this.closeVersions(
      kind,
      items.map((x) => x.id),
    );
    return this.insertVersions(kind, items);
  }

  // ---- change events and hooks --------------------------------------------------------------

  /** Queues a change event (written to the outbox with the data, stamped with this transaction's time). */
  async recordChange(e: Omit<ChangeEvent, 'id' | 'branch' | 'time' | 'userId' | 'userName' | 'requestId'>): Promise<void> {
    const t = await this.stamp();
    this.events.push({
      id: randomUUID(),
      branch: this.branch,
      time: t.toISOString(),
      userId: this.actor.userId,
      userName: this.actor.userName,
      requestId: this.actor.requestId,
      ...e,
    });
  }

  get eventCount(): number {
    return this.events.length;
  }

  /** Runs after a successful commit (errors are the hook's own business). */
  afterCommit(fn: () => void | Promise<void>): void {
    this.hooks.push(fn);
  }

  /** @internal runVersionedTx: writes the queued events to the outbox. */
  async flushEvents(): Promise<void> {
    for (let i = 0; i < this.events.length; i += CHUNK) {
      const p = new Params();
      const tuples = this.events.slice(i, i + CHUNK).map((e) => `(${p.add(CHANGES_TOPIC)}, ${p.add(JSON.stringify(e))}::jsonb)`);
      await this.client.query(`INSERT INTO outbox (topic, payload) VALUES ${tuples.join(', ')}`, p.values);
    }
    this.events = [];
  }

  /** @internal runVersionedTx */
  async runHooks(): Promise<void> {
    for (const h of this.hooks) await h();
  }
}

export interface VersionedTxOptions {
  pool: pg.Pool;
  branch: string;
  actor: Actor;
  /** per-statement time limit in ms (STRATA_STATEMENT_TIMEOUT); 0 = none */
  statementTimeoutMs?: number;
  /** aborts the transaction (client went away) */
  signal?: AbortSignal;
  /** called inside the transaction after the work, before COMMIT (tests inject failures) */
  beforeCommit?: () => void | Promise<void>;
}

/**
 * Runs `work` in one transaction and commits only if it succeeds; the whole unit of work is run
 * again (a bounded number of times) when it lost a race that a retry resolves.
 */
export async function runVersionedTx<T>(opts: VersionedTxOptions, work: (tx: VersionedTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(opts, work);
    if (outcome.ok) {
      await outcome.tx.runHooks();
      return outcome.result;
    }
    const err = outcome.error;
    const code = (err as { code?: string }).code;
    const retry = err instanceof RetryTransaction || (typeof code === 'string' && RETRYABLE_PG.has(code));
    if (!retry || attempt >= MAX_ATTEMPTS) {
      if (err instanceof RetryTransaction) throw errors.conflict('Concurrent changes to the same nodes, please retry');
      if (code === '57014' && opts.signal?.aborted) throw errors.badInput('The request was cancelled');
      throw dbError(err);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
  }
}

type Attempt<T> = { ok: true; result: T; tx: VersionedTx } | { ok: false; error: unknown };

async function attemptOnce<T>(opts: VersionedTxOptions, work: (tx: VersionedTx) => Promise<T>): Promise<Attempt<T>> {
  const client = await opts.pool.connect();
  // a cancelled statement fails the transaction, which is then rolled back below
  let cancelled = false;
  const cancel = () => {
    cancelled = true;
    void cancelBackend(opts.pool, client);
  };
  try {
    if (opts.signal?.aborted) return { ok: false, error: errors.badInput('The request was cancelled') };
    opts.signal?.addEventListener('abort', cancel, { once: true });
    await client.query('BEGIN');
    if (opts.statementTimeoutMs) await client.query(`SET LOCAL statement_timeout = ${Math.floor(opts.statementTimeoutMs)}`);
    const tx = new VersionedTx(client, opts.branch, opts.actor);
    const result = await work(tx);
    await tx.flushEvents();
    await opts.beforeCommit?.();
    await client.query('COMMIT');
    return { ok: true, result, tx };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    return { ok: false, error };
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    // a cancel may still be on its way: never hand this connection to another request
    client.release(cancelled ? true : undefined);
  }
}

/** Cancels the statement running on `client` (pg_cancel_backend from another connection). */
export async function cancelBackend(pool: pg.Pool, client: pg.PoolClient): Promise<void> {
  const pid = (client as unknown as { processID?: number }).processID;
  if (!pid) return;
  await pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
}

export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
