// The Postgres bus's own tables (schema `strata_bus`, shared by every service on one server),
// created idempotently at start, and the retention sweep.
//   events      one row per published event of a durable topic (id order = publish order per topic)
//   offsets     per (topic, group): the highest event id handed out to the group so far
//   leases      per (topic, group): ranges handed out but not yet acknowledged (in flight, or
//               failed and waiting for a retry); an expired lease is handed out again
//   broadcasts  payloads of broadcasts too large for a NOTIFY (kept a few minutes)
import type pg from 'pg';

export const SCHEMA = 'strata_bus';
/** pg_advisory_xact_lock class id used by the bus ("strb" in ASCII, as an int4). */
export const LOCK_CLASS = 0x73747262;
/** Events acknowledged by every known group are kept this long (new groups can still read them). */
export const ACKED_RETENTION = '1 hour';
/** Hard cap: older events are deleted even if a group never acknowledged them (like Kafka's default). */
export const MAX_RETENTION = '7 days';
export const BROADCAST_RETENTION = '5 minutes';

const DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.events (
     id bigserial PRIMARY KEY,
     topic text NOT NULL,
     payload json NOT NULL,
     created timestamptz NOT NULL DEFAULT now())`,
  `CREATE INDEX IF NOT EXISTS events_topic_id ON ${SCHEMA}.events (topic, id)`,
  `CREATE INDEX IF NOT EXISTS events_created ON ${SCHEMA}.events (created)`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.offsets (
     topic text NOT NULL,
     grp text NOT NULL,
     last_id bigint NOT NULL DEFAULT 0,
     PRIMARY KEY (topic, grp))`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.leases (
     topic text NOT NULL,
     grp text NOT NULL,
     first_id bigint NOT NULL,
     last_id bigint NOT NULL,
     owner text,
     until timestamptz NOT NULL,
     attempts int NOT NULL DEFAULT 0,
     PRIMARY KEY (topic, grp, first_id))`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.broadcasts (
     id bigserial PRIMARY KEY,
     payload json NOT NULL,
     created timestamptz NOT NULL DEFAULT now())`,
  // payloads are stored verbatim as json (jsonb refuses \u0000 and costs a parse); tables
  // created by earlier versions used jsonb
  `DO $$ BEGIN
     IF (SELECT data_type FROM information_schema.columns WHERE table_schema = '${SCHEMA}' AND table_name = 'events' AND column_name = 'payload') = 'jsonb' THEN
       ALTER TABLE ${SCHEMA}.events ALTER COLUMN payload TYPE json;
       ALTER TABLE ${SCHEMA}.broadcasts ALTER COLUMN payload TYPE json;
     END IF;
   END $$`,
];

/** Creates the bus tables; concurrent starters serialise on an advisory lock (no catalog races). */
export async function ensureBusTables(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS]);
    for (const sql of DDL) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Deletes events every group of their topic has acknowledged (after ACKED_RETENTION), anything
 * older than MAX_RETENTION, and old broadcast payloads. Safe to run from several processes.
 */
export async function sweep(pool: pg.Pool): Promise<void> {
  await pool.query(
    `DELETE FROM ${SCHEMA}.events e
      USING (SELECT o.topic,
                    min(coalesce((SELECT min(l.first_id) - 1 FROM ${SCHEMA}.leases l WHERE l.topic = o.topic AND l.grp = o.grp), o.last_id)) AS safe
               FROM ${SCHEMA}.offsets o GROUP BY o.topic) s
      WHERE e.topic = s.topic AND e.id <= s.safe AND e.created < now() - interval '${ACKED_RETENTION}'`,
  );
  await pool.query(`DELETE FROM ${SCHEMA}.events WHERE created < now() - interval '${MAX_RETENTION}'`);
  await pool.query(`DELETE FROM ${SCHEMA}.broadcasts WHERE created < now() - interval '${BROADCAST_RETENTION}'`);
}
