// Durable topics on Postgres: publishing, and handing out ranges of events to the consumers of a
// group as leases (like a Redis stream's pending entries). A group's consumers claim one range
// at a time under the group's offset row lock (a short transaction), handle it without holding
// a connection, then acknowledge it (delete the lease) or give it back for a later retry.
// Publishers of one topic serialise on an advisory lock until commit, so event ids of a topic
// become visible in id order and a consumer's offset never skips a late-committing event.
import type pg from 'pg';
import { LOCK_CLASS, SCHEMA } from './pg-tables.ts';

export const WAKE_CHANNEL = 'strata_bus_wake';
/** A claimed range not acknowledged within this time is handed out again (crashed consumer). */
export const LEASE_SECONDS = 30;
/** Most events per claim, and a soft cap on their stored size. */
const BATCH = 500;
const BATCH_BYTES = 8 * 1024 * 1024;

export interface Claim {
  firstId: string;
  ids: string[];
  events: unknown[];
  attempts: number;
}

/** One statement: take the topic's publish lock, insert in order, NOTIFY at commit. */
export async function publishEvents(pool: pg.Pool, topic: string, events: unknown[]): Promise<void> {
  if (!events.length) return;
  await pool.query(
    `WITH l AS (SELECT pg_advisory_xact_lock($1, hashtext($2))),
          e AS (INSERT INTO ${SCHEMA}.events (topic, payload)
                SELECT $2, t.x FROM l, unnest($3::json[]) WITH ORDINALITY AS t(x, n) ORDER BY t.n
                RETURNING id)
     SELECT pg_notify($4, $2) FROM (SELECT 1 FROM e LIMIT 1) one`,
    [LOCK_CLASS, topic, events.map((e) => JSON.stringify(e ?? null)), WAKE_CHANNEL],
  );
}

export async function ensureGroup(pool: pg.Pool, topic: string, group: string): Promise<void> {
  await pool.query(`INSERT INTO ${SCHEMA}.offsets (topic, grp) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [topic, group]);
}

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Hands `owner` the next work of the group: first a lease that is due again (failed or expired),
 * else the next events after the group's offset. Null when there is nothing to do.
 */
export function claim(pool: pg.Pool, topic: string, group: string, owner: string): Promise<Claim | null> {
  return inTransaction(pool, async (c) => {
    const { rows: off } = await c.query<{ last_id: string }>(`SELECT last_id FROM ${SCHEMA}.offsets WHERE topic = $1 AND grp = $2 FOR UPDATE`, [topic, group]);
    if (!off[0]) return null; // group row missing (ensureGroup not called / tables reset)
    const { rows: due } = await c.query<{ first_id: string; last_id: string; attempts: number }>(
      `SELECT first_id, last_id, attempts FROM ${SCHEMA}.leases
        WHERE topic = $1 AND grp = $2 AND until <= now() ORDER BY first_id LIMIT 1 FOR UPDATE`,
      [topic, group],
    );
    if (due[0]) {
      const lease = due[0];
      const { rows } = await c.query<{ id: string; payload: unknown }>(`SELECT id, payload FROM ${SCHEMA}.events WHERE topic = $1 AND id BETWEEN $2 AND $3 ORDER BY id`, [
        topic,
        lease.first_id,
        lease.last_id,
      ]);
      if (!rows.length) {
        // its events were swept (retention): nothing left to deliver
        await c.query(`DELETE FROM ${SCHEMA}.leases WHERE topic = $1 AND grp = $2 AND first_id = $3`, [topic, group, lease.first_id]);
        return { firstId: lease.first_id, ids: [], events: [], attempts: lease.attempts };
      }
      await c.query(
        `UPDATE ${SCHEMA}.leases SET owner = $4, until = now() + make_interval(secs => $5), attempts = attempts + 1
          WHERE topic = $1 AND grp = $2 AND first_id = $3`,
        [topic, group, lease.first_id, owner, LEASE_SECONDS],
      );
      return { firstId: lease.first_id, ids: rows.map((r) => r.id), events: rows.map((r) => r.payload), attempts: lease.attempts + 1 };
    }
    const { rows } = await c.query<{ id: string; payload: unknown }>(
      `SELECT id, payload FROM (
         SELECT id, payload, sum(pg_column_size(payload)) OVER (ORDER BY id) - pg_column_size(payload) AS before
           FROM (SELECT id, payload FROM ${SCHEMA}.events WHERE topic = $1 AND id > $2 ORDER BY id LIMIT ${BATCH}) first_rows
       ) sized
       WHERE before < ${BATCH_BYTES} ORDER BY id`,
      [topic, off[0].last_id],
    );
    if (!rows.length) return null;
    const firstId = rows[0]!.id;
    const lastId = rows[rows.length - 1]!.id;
    await c.query(
      `INSERT INTO ${SCHEMA}.leases (topic, grp, first_id, last_id, owner, until, attempts)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), 1)`,
      [topic, group, firstId, lastId, owner, LEASE_SECONDS],
    );
    await c.query(`UPDATE ${SCHEMA}.offsets SET last_id = $3 WHERE topic = $1 AND grp = $2`, [topic, group, lastId]);
    return { firstId, ids: rows.map((r) => r.id), events: rows.map((r) => r.payload), attempts: 1 };
  });
}

/** The whole range was handled. */
export async function acknowledge(pool: pg.Pool, topic: string, group: string, firstId: string): Promise<void> {
  await pool.query(`DELETE FROM ${SCHEMA}.leases WHERE topic = $1 AND grp = $2 AND first_id = $3`, [topic, group, firstId]);
}

/**
 * Events before `nextId` were handled, the rest failed: the lease shrinks to the rest and becomes
 * due again after a back-off (1 s, doubling per attempt, at most 30 s).
 */
export async function retryLater(pool: pg.Pool, topic: string, group: string, claimed: Claim, nextId: string): Promise<void> {
  const delay = Math.min(30, 2 ** Math.max(0, claimed.attempts - 1));
  await pool.query(
    `UPDATE ${SCHEMA}.leases SET first_id = $4, owner = NULL, until = now() + make_interval(secs => $5)
      WHERE topic = $1 AND grp = $2 AND first_id = $3`,
    [topic, group, claimed.firstId, nextId, delay],
  );
}

/** Keeps a lease from expiring while its handler is still running. */
export async function extendLease(pool: pg.Pool, topic: string, group: string, firstId: string, owner: string): Promise<void> {
  await pool.query(`UPDATE ${SCHEMA}.leases SET until = now() + make_interval(secs => $5) WHERE topic = $1 AND grp = $2 AND first_id = $3 AND owner = $4`, [
    topic,
    group,
    firstId,
    owner,
    LEASE_SECONDS,
  ]);
}
