// Postgres implementation for installations without Redis (the embedded default): durable topics
// live in `strata_bus` tables (pg-tables.ts) handed out to consumer groups as leases
// (pg-queue.ts); LISTEN/NOTIFY wakes consumers (with a 1 s poll as a fallback) and carries
// broadcasts (payloads too large for a NOTIFY are stored and the NOTIFY carries their id).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { startListener } from './pg-listener.ts';
import { acknowledge, claim, ensureGroup, extendLease, LEASE_SECONDS, publishEvents, retryLater, WAKE_CHANNEL, type Claim } from './pg-queue.ts';
import { ensureBusTables, SCHEMA, sweep } from './pg-tables.ts';
import { eachEvent, errorMessage, sleep, wholeBatch, type Processor } from './processor.ts';
import type { EventBus, Unsubscribe } from './types.ts';

const BROADCAST_CHANNEL = 'strata_bus_broadcast';
const POLL_MS = 1_000;
const SWEEP_MS = 60_000;
/** NOTIFY payloads must stay under 8000 bytes; larger broadcasts go through the table. */
const NOTIFY_LIMIT = 7_000;

export async function createPgBus(opts: { url: string; service: string; logger?: Logger }): Promise<EventBus> {
  const { logger } = opts;
  const pool = new pg.Pool({ connectionString: opts.url, max: 4, application_name: `strata-bus-${opts.service}` });
  pool.on('error', () => {
    /* idle connection lost: the next query reconnects */
  });
  try {
    await ensureBusTables(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }

  const wakers = new Map<string, Set<() => void>>();
  const listeners = new Map<string, Set<(m: unknown) => void>>();
  const wakeAll = () => {
    for (const set of wakers.values()) for (const w of set) w();
  };

  async function deliverBroadcast(payload: string): Promise<void> {
    let parsed: { c?: unknown; m?: unknown; ref?: unknown };
    try {
      parsed = JSON.parse(payload) as typeof parsed;
    } catch {
      return;
    }
    if (typeof parsed.c !== 'string') return;
    const set = listeners.get(parsed.c);
    if (!set?.size) return;
    let message = parsed.m;
    if (parsed.ref !== undefined) {
      const { rows } = await pool.query<{ payload: unknown }>(`SELECT payload FROM ${SCHEMA}.broadcasts WHERE id = $1`, [String(parsed.ref)]);
      if (!rows[0]) return;
      message = rows[0].payload;
    }
    for (const h of set) {
      try {
        h(message);
      } catch (err) {
        logger?.warn({ err: errorMessage(err), channel: parsed.c }, 'broadcast listener failed');
      }
    }
  }

  let listener;
  try {
    listener = await startListener({
      url: opts.url,
      applicationName: `strata-bus-listen-${opts.service}`,
      channels: [WAKE_CHANNEL, BROADCAST_CHANNEL],
      logger,
      onReconnect: wakeAll,
      onNotification: (channel, payload) => {
        if (channel === WAKE_CHANNEL) {
          for (const w of wakers.get(payload) ?? []) w();
        } else if (channel === BROADCAST_CHANNEL) {
          deliverBroadcast(payload).catch((err) => logger?.warn({ err: errorMessage(err) }, 'could not read a broadcast'));
        }
      },
    });
  } catch (err) {
    await pool.end();
    throw err;
  }

  const stops = new Set<Unsubscribe>();
  let sweeper: NodeJS.Timeout | null = null;
  function startSweeper(): void {
    if (sweeper) return;
    sweeper = setInterval(() => {
      sweep(pool).catch((err) => logger?.warn({ err: errorMessage(err) }, 'bus retention sweep failed'));
    }, SWEEP_MS);
    sweeper.unref();
  }

  /** Runs the handler on one claimed range and records the outcome. */
  async function handleClaim(topic: string, group: string, owner: string, c: Claim, processor: Processor): Promise<void> {
    const heartbeat = setInterval(
      () => {
        extendLease(pool, topic, group, c.firstId, owner).catch(() => {});
      },
      (LEASE_SECONDS * 1000) / 3,
    );
    heartbeat.unref();
    let outcome;
    try {
      outcome = await processor(c.events);
    } finally {
      clearInterval(heartbeat);
    }
    if (outcome.done >= c.events.length) {
      await acknowledge(pool, topic, group, c.firstId);
      return;
    }
    logger?.warn({ err: errorMessage(outcome.error), topic, group, attempt: c.attempts }, 'event handler failed; will retry');
    await retryLater(pool, topic, group, c, c.ids[outcome.done]!);
  }

  async function subscribe(topic: string, group: string, processor: Processor): Promise<Unsubscribe> {
    await ensureGroup(pool, topic, group);
    startSweeper();
    const owner = `${opts.service}-${randomUUID()}`;
    let running = true;
    let signalled = false;
    let wake: (() => void) | null = null;
    const waker = () => {
      signalled = true;
      wake?.();
    };
    const set = wakers.get(topic) ?? new Set();
    set.add(waker);
    wakers.set(topic, set);

    const loop = (async () => {
      while (running) {
        signalled = false;
        let work: Claim | null = null;
        try {
          work = await claim(pool, topic, group, owner);
          if (work?.events.length) await handleClaim(topic, group, owner, work, processor);
        } catch (err) {
          if (!running) break;
          logger?.warn({ err: errorMessage(err), topic, group }, 'bus consume failed; retrying');
          await sleep(POLL_MS);
          continue;
        }
        if (work || signalled || !running) continue;
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
      if (!running) return loop;
      running = false;
      wake?.();
      set.delete(waker);
      await loop;
      stops.delete(stop);
    };
    stops.add(stop);
    return stop;
  }

  const bus: EventBus = {
    publish: (topic, event) => publishEvents(pool, topic, [event]),
    publishMany: (topic, events) => publishEvents(pool, topic, events),
    consume: (topic, group, handler) => subscribe(topic, group, eachEvent(handler)),
    consumeBatch: (topic, group, handler) => subscribe(topic, group, wholeBatch(handler)),
    async broadcast(channel, message) {
      const inline = JSON.stringify({ c: channel, m: message ?? null });
      if (Buffer.byteLength(inline) <= NOTIFY_LIMIT) {
        await pool.query('SELECT pg_notify($1, $2)', [BROADCAST_CHANNEL, inline]);
        return;
      }
      await pool.query(
        `WITH b AS (INSERT INTO ${SCHEMA}.broadcasts (payload) VALUES ($2::json) RETURNING id)
         SELECT pg_notify($1, json_build_object('c', $3::text, 'ref', b.id)::text) FROM b`,
        [BROADCAST_CHANNEL, JSON.stringify(message ?? null), channel],
      );
    },
    async listen(channel, handler): Promise<Unsubscribe> {
      const set = listeners.get(channel) ?? new Set();
      set.add(handler);
      listeners.set(channel, set);
      return async () => {
        set.delete(handler);
        if (!set.size && listeners.get(channel) === set) listeners.delete(channel);
      };
    },
    async close() {
      for (const stop of [...stops]) await stop();
      if (sweeper) clearInterval(sweeper);
      await listener.close();
      await pool.end();
    },
  };
  return bus;
}
