// Postgres implementation for installations without Redis (the embedded default): durable
// topics are rows in `strata_bus.events` with one offset per (topic, group), processed under a
// row lock so a group's consumers take turns; LISTEN/NOTIFY wakes consumers and carries
// broadcasts (large broadcast payloads go through the table and NOTIFY carries their id).
import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { EventBus, Unsubscribe } from './types.ts';

const SCHEMA = 'strata_bus';
const WAKE = 'strata_bus_wake';
const BROADCAST = 'strata_bus_broadcast';
const POLL_MS = 1_000;
const BATCH = 500;
const NOTIFY_LIMIT = 7_000;

export async function createPgBus(opts: { url: string; service: string; logger?: Logger }): Promise<EventBus> {
  const pool = new pg.Pool({ connectionString: opts.url, max: 4, application_name: `strata-bus-${opts.service}` });
  pool.on('error', () => {});
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`).catch((err) => {
    if ((err as { code?: string }).code !== '23505') throw err; // concurrent creators
  });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.events (id bigserial PRIMARY KEY, topic text NOT NULL, payload jsonb NOT NULL, created timestamptz NOT NULL DEFAULT now())`).catch(ignoreRace);
  await pool.query(`CREATE INDEX IF NOT EXISTS events_topic_id ON ${SCHEMA}.events (topic, id)`).catch(ignoreRace);
  await pool.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.offsets (topic text NOT NULL, grp text NOT NULL, last_id bigint NOT NULL DEFAULT 0, PRIMARY KEY (topic, grp))`).catch(ignoreRace);

  // One listening connection per bus instance.
  const listener = new pg.Client({ connectionString: opts.url, application_name: `strata-bus-listen-${opts.service}` });
  listener.on('error', (err) => opts.logger?.warn({ err: err.message }, 'bus listener connection error'));
  await listener.connect();
  await listener.query(`LISTEN ${WAKE}`);
  await listener.query(`LISTEN ${BROADCAST}`);
  const wakers = new Map<string, Set<() => void>>();
  const listeners = new Map<string, Set<(m: unknown) => void>>();
  listener.on('notification', (n) => {
    if (n.channel === WAKE) {
      for (const w of wakers.get(n.payload ?? '') ?? []) w();
      return;
    }
    if (n.channel !== BROADCAST || !n.payload) return;
    void (async () => {
      let parsed: { c: string; m?: unknown; ref?: string };
      try {
        parsed = JSON.parse(n.payload!);
      } catch {
        return;
      }
      const set = listeners.get(parsed.c);
      if (!set?.size) return;
      let message = parsed.m;
      if (parsed.ref) {
        const { rows } = await pool.query<{ payload: unknown }>(`SELECT payload FROM ${SCHEMA}.events WHERE id = $1`, [parsed.ref]);
        message = rows[0]?.payload;
      }
      for (const h of set) h(message);
    })().catch(() => {});
  });
  const stops = new Set<() => Promise<void>>();

  async function drainOnce(topic: string, group: string, handler: (events: unknown[]) => Promise<void>): Promise<number> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${SCHEMA}.offsets (topic, grp) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [topic, group]);
      const { rows: off } = await client.query<{ last_id: string }>(`SELECT last_id FROM ${SCHEMA}.offsets WHERE topic = $1 AND grp = $2 FOR UPDATE`, [topic, group]);
      const { rows } = await client.query<{ id: string; payload: unknown }>(
        `SELECT id, payload FROM ${SCHEMA}.events WHERE topic = $1 AND id > $2 ORDER BY id LIMIT ${BATCH}`,
        [topic, off[0]!.last_id],
      );
      if (!rows.length) {
        await client.query('COMMIT');
        return 0;
      }
      try {
        await handler(rows.map((r) => r.payload));
      } catch (err) {
        opts.logger?.warn({ err: (err as Error).message, topic }, 'event handler failed; will retry');
        await client.query('ROLLBACK');
        return 0;
      }
      await client.query(`UPDATE ${SCHEMA}.offsets SET last_id = $3 WHERE topic = $1 AND grp = $2`, [topic, group, rows[rows.length - 1]!.id]);
      await client.query('COMMIT');
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  const bus: EventBus = {
    async publish(topic, event) {
      await pool.query(`WITH e AS (INSERT INTO ${SCHEMA}.events (topic, payload) VALUES ($1, $2::jsonb) RETURNING id) SELECT pg_notify($3, $1) FROM e`, [
        topic,
        JSON.stringify(event),
        WAKE,
      ]);
    },
    async publishMany(topic, events) {
      if (!events.length) return;
      await pool.query(
        `WITH e AS (INSERT INTO ${SCHEMA}.events (topic, payload) SELECT $1, x FROM unnest($2::jsonb[]) WITH ORDINALITY AS t(x, n) ORDER BY n RETURNING id)
         SELECT pg_notify($3, $1) FROM (SELECT 1 FROM e LIMIT 1) one`,
        [topic, events.map((e) => JSON.stringify(e)), WAKE],
      );
    },
    consume(topic, group, handler) {
      return bus.consumeBatch(topic, group, async (events) => {
        for (const e of events) await handler(e);
      });
    },
    async consumeBatch(topic, group, handler): Promise<Unsubscribe> {
      let running = true;
      let wake: (() => void) | null = null;
      const waker = () => wake?.();
      const set = wakers.get(topic) ?? new Set();
      set.add(waker);
      wakers.set(topic, set);
      const loop = (async () => {
        while (running) {
          let n = 0;
          try {
            n = await drainOnce(topic, group, handler);
          } catch (err) {
            if (!running) break;
            opts.logger?.warn({ err: (err as Error).message, topic }, 'bus consume failed');
          }
          if (n >= BATCH) continue;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, POLL_MS);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = null;
        }
      })();
      const stop = async () => {
        running = false;
        wake?.();
        set.delete(waker);
        await loop;
        stops.delete(stop);
      };
      stops.add(stop);
      return stop;
    },
    async broadcast(channel, message) {
      const inline = JSON.stringify({ c: channel, m: message });
      if (Buffer.byteLength(inline) <= NOTIFY_LIMIT) {
        await pool.query('SELECT pg_notify($1, $2)', [BROADCAST, inline]);
        return;
      }
      const { rows } = await pool.query<{ id: string }>(`INSERT INTO ${SCHEMA}.events (topic, payload) VALUES ($1, $2::jsonb) RETURNING id`, [
        `__broadcast:${channel}`,
        JSON.stringify(message),
      ]);
      await pool.query('SELECT pg_notify($1, $2)', [BROADCAST, JSON.stringify({ c: channel, ref: rows[0]!.id })]);
    },
    async listen(channel, handler): Promise<Unsubscribe> {
      const set = listeners.get(channel) ?? new Set();
      set.add(handler);
      listeners.set(channel, set);
      return async () => {
        set.delete(handler);
      };
    },
    async close() {
      for (const s of [...stops]) await s();
      await listener.end().catch(() => {});
      await pool.end();
    },
  };
  return bus;
}

function ignoreRace(err: unknown): void {
  // CREATE ... IF NOT EXISTS can still race on the catalog between processes
  const code = (err as { code?: string }).code;
  if (code !== '23505' && code !== '42P07') throw err;
}
