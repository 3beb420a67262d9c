// The event bus against real Postgres and real Redis (REDIS_URL, else 127.0.0.1:6379 when it
// answers): durable topics with consumer groups, work sharing inside a group, redelivery after
// a failing handler, late consumers, large payloads, broadcasts across bus instances (= processes).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../src/bus/index.ts';
import { sweep } from '../src/bus/pg-tables.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const redisUp = await (async () => {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
})();
if (!redisUp) console.warn(`bus.test: no Redis at ${REDIS_URL}; the Redis bus tests are skipped`);

let db: TestDatabase;
const open: EventBus[] = [];

beforeAll(async () => {
  db = await createTestDatabase('bus');
});
afterAll(async () => {
  for (const b of open) await b.close().catch(() => {});
  await db?.drop();
});

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const n = (e: unknown) => (e as { n: number }).n;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** one Redis key prefix per test run: streams and channels never meet other runs' */
const prefix = `strata-bus-test-${randomUUID()}`;
const kinds: [string, boolean, (service?: string) => Promise<EventBus>][] = [
  ['postgres', true, (service = 'test') => createBus({ databaseUrl: db.url, service })],
  ['redis', redisUp, (service = 'test') => createBus({ redisUrl: REDIS_URL, service, prefix })],
];

describe.each(kinds)('%s bus', (_name, enabled, create) => {
  const make = async (service?: string) => {
    const b = await create(service);
    open.push(b);
    return b;
  };

  it.runIf(enabled)('delivers published events to a consumer, large and odd payloads too', async () => {
    const bus = await make();
    const topic = `t-${randomUUID()}`;
    const got: unknown[] = [];
    await bus.consume(topic, 'g', async (e) => void got.push(e));
    const big = { n: 2, data: 'x'.repeat(1_000_000), nested: { list: range(1, 1000) } };
    await bus.publish(topic, { n: 1 });
    await bus.publish(topic, big);
    await bus.publishMany(topic, [{ n: 3, text: 'nul \u0000 and ünïcödé' }, { n: 4 }]);
    await until(() => got.length === 4, '4 events');
    expect(got.map(n)).toEqual([1, 2, 3, 4]);
    expect(got[1]).toEqual(big);
    expect(got[2]).toEqual({ n: 3, text: 'nul \u0000 and ünïcödé' });
  });

  it.runIf(enabled)('gives every group every event, including those published before it started', async () => {
    const a = await make();
    const b = await make();
    const topic = `t-${randomUUID()}`;
    await a.publishMany(
      topic,
      range(1, 5).map((i) => ({ n: i })),
    );
    const g1: number[] = [];
    const g2: number[] = [];
    await a.consume(topic, 'g1', async (e) => void g1.push(n(e)));
    await b.consume(topic, 'g2', async (e) => void g2.push(n(e)));
    for (const i of range(6, 20)) await (i % 2 ? a : b).publish(topic, { n: i });
    await until(() => g1.length >= 20 && g2.length >= 20, 'both groups');
    expect(sorted(g1)).toEqual(range(1, 20));
    expect(sorted(g2)).toEqual(range(1, 20));
  });

  it.runIf(enabled)('splits a group between its consumers in different processes, each event once', async () => {
    const a = await make();
    const b = await make();
    const topic = `t-${randomUUID()}`;
    const seen: Record<'a' | 'b', number[]> = { a: [], b: [] };
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let first: 'a' | 'b' | null = null;
    const handler = (me: 'a' | 'b') => async (e: unknown) => {
      seen[me].push(n(e));
      if (first === null) {
        first = me;
        await released; // busy: the other consumer must take what comes next
      }
    };
    await a.consume(topic, 'workers', handler('a'));
    await b.consume(topic, 'workers', handler('b'));
    await a.publish(topic, { n: 1 });
    await until(() => first !== null, 'the first event');
    for (const i of range(2, 10)) await a.publish(topic, { n: i });
    const other = first === 'a' ? 'b' : 'a';
    await until(() => seen[other].length === 9, 'the other consumer to take the rest');
    release();
    await new Promise((r) => setTimeout(r, 300));
    expect(seen[first!]).toEqual([1]);
    expect(sorted(seen[other])).toEqual(range(2, 10));
  });

  it.runIf(enabled)('redelivers from the event whose handler failed; the ones before it are not repeated', async () => {
    const bus = await make();
    const topic = `t-${randomUUID()}`;
    const seen: number[] = [];
    let failed = false;
    await bus.publishMany(topic, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await bus.consume(topic, 'g', async (e) => {
      if (n(e) === 2 && !failed) {
        failed = true;
        throw new Error('boom');
      }
      seen.push(n(e));
    });
    await until(() => seen.length >= 3, 'redelivery');
    expect(failed).toBe(true);
    expect(sorted(seen)).toEqual([1, 2, 3]);
  });

  it.runIf(enabled)('redelivers a whole batch whose batch handler failed', async () => {
    const bus = await make();
    const topic = `t-${randomUUID()}`;
    const attempts: number[][] = [];
    await bus.publishMany(topic, [{ n: 1 }, { n: 2 }]);
    await bus.consumeBatch(topic, 'g', async (events) => {
      attempts.push(events.map(n));
      if (attempts.length === 1) throw new Error('boom');
    });
    await until(() => attempts.length >= 2, 'redelivery');
    expect(attempts[0]).toEqual([1, 2]);
    expect(attempts[1]).toEqual([1, 2]);
  });

  it.runIf(enabled)('delivers events published while no consumer of the group ran, and only those', async () => {
    const topic = `t-${randomUUID()}`;
    const first = await make();
    const before: number[] = [];
    const stop = await first.consume(topic, 'g', async (e) => void before.push(n(e)));
    await first.publishMany(topic, [{ n: 1 }, { n: 2 }]);
    await until(() => before.length === 2, 'first consumer');
    await stop();
    await first.close();
    const publisher = await make();
    await publisher.publishMany(topic, [{ n: 3 }, { n: 4 }]);
    const later = await make();
    const after: number[] = [];
    await later.consume(topic, 'g', async (e) => void after.push(n(e)));
    await until(() => after.length >= 2, 'the later consumer');
    await new Promise((r) => setTimeout(r, 300));
    expect(after).toEqual([3, 4]);
  });

  it.runIf(enabled)('delivers everything concurrent publishers send, once', async () => {
    const pubs = await Promise.all([make(), make(), make()]);
    const topic = `t-${randomUUID()}`;
    const got: number[] = [];
    await pubs[0]!.consume(topic, 'g', async (e) => void got.push(n(e)));
    await Promise.all(pubs.map((p, k) => Promise.all(range(1, 100).map((i) => p.publish(topic, { n: k * 1000 + i })))));
    await until(() => got.length >= 300, '300 events');
    await new Promise((r) => setTimeout(r, 300));
    expect(sorted(got)).toEqual([...range(1, 100), ...range(1001, 1100), ...range(2001, 2100)]);
  });

  it.runIf(enabled)('broadcasts to listeners in other bus instances, large payloads too, until they stop listening', async () => {
    const a = await make();
    const b = await make();
    const channel = `c-${randomUUID()}`;
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    await b.listen(channel, (m) => gotB.push(m));
    const stopA = await a.listen(channel, (m) => gotA.push(m));
    const big = { data: 'y'.repeat(20_000) };
    await a.broadcast(channel, { hello: 1 });
    await b.broadcast(channel, big);
    await until(() => gotA.length === 2 && gotB.length === 2, 'both listeners');
    expect(gotA).toContainEqual({ hello: 1 });
    expect(gotA).toContainEqual(big);
    expect(gotB).toContainEqual({ hello: 1 });
    expect(gotB).toContainEqual(big);
    await stopA();
    await b.broadcast(channel, { after: true });
    await until(() => gotB.length === 3, 'the remaining listener');
    await new Promise((r) => setTimeout(r, 100));
    expect(gotA).toHaveLength(2);
  });
});

describe('postgres bus specifics', () => {
  it('reconnects its LISTEN connection when the server drops it', async () => {
    const service = `reconnect-${randomUUID().slice(0, 8)}`;
    const bus = await createBus({ databaseUrl: db.url, service });
    open.push(bus);
    const other = await createBus({ databaseUrl: db.url, service: 'test' });
    open.push(other);
    const channel = `c-${randomUUID()}`;
    const topic = `t-${randomUUID()}`;
    const heard: unknown[] = [];
    const got: number[] = [];
    await bus.listen(channel, (m) => heard.push(m));
    await bus.consume(topic, 'g', async (e) => void got.push(n(e)));
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`strata-bus-listen-${service}`]);
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    // broadcasts sent while it reconnects are lost (at-most-once): keep sending until one arrives
    const end = Date.now() + 20_000;
    while (!heard.length && Date.now() < end) {
      await other.broadcast(channel, { ping: true });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(heard[0]).toEqual({ ping: true });
    await other.publish(topic, { n: 1 });
    await until(() => got.length === 1, 'consumer after reconnect');
  });

  it('sweeps without touching what a group has not acknowledged', async () => {
    const bus = await createBus({ databaseUrl: db.url, service: 'test' });
    open.push(bus);
    const topic = `t-${randomUUID()}`;
    await bus.publish(topic, { n: 1 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await pool.query(`UPDATE strata_bus.events SET created = now() - interval '2 hours' WHERE topic = $1`, [topic]);
      await pool.query(`INSERT INTO strata_bus.offsets (topic, grp) VALUES ($1, 'late') ON CONFLICT DO NOTHING`, [topic]);
      await sweep(pool);
      const got: number[] = [];
      await bus.consume(topic, 'late', async (e) => void got.push(n(e)));
      await until(() => got.length === 1, 'the unacknowledged event');
      // acknowledged by the only group and older than the retention: swept
      let left = 1;
      for (let i = 0; i < 100 && left; i++) {
        await sweep(pool);
        left = (await pool.query<{ c: number }>('SELECT count(*)::int AS c FROM strata_bus.events WHERE topic = $1', [topic])).rows[0]!.c;
        if (left) await new Promise((r) => setTimeout(r, 50));
      }
      expect(left).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
