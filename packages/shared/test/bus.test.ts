// The event bus against real Redis and real Postgres: durable topics with consumer groups,
// redelivery after a failing handler, late consumers, broadcasts across bus instances.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../src/bus/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';

const REDIS_URL = process.env.REDIS_URL;
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('bus');
});
afterAll(async () => {
  await db?.drop();
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const kinds: [string, () => Promise<EventBus>][] = [
  ['postgres', () => createBus({ databaseUrl: db.url, service: 'test' })],
];
const prefix = `strata-bus-test-${randomUUID()}`;
if (REDIS_URL) kinds.push(['redis', () => createBus({ redisUrl: REDIS_URL, service: 'test', prefix })]);

describe.each(kinds)('%s bus', (_name, make) => {
  it('delivers every event to every group, once per group, including events published before the consumer started', async () => {
    const a = await make();
    const b = await make();
    const topic = `t-${randomUUID()}`;
    await a.publish(topic, { n: 1 });
    const g1: number[] = [];
    const g2a: number[] = [];
    const g2b: number[] = [];
    const s1 = await a.consume(topic, 'g1', async (e) => void g1.push((e as { n: number }).n));
    const s2 = await a.consume(topic, 'g2', async (e) => void g2a.push((e as { n: number }).n));
    const s3 = await b.consume(topic, 'g2', async (e) => void g2b.push((e as { n: number }).n));
    for (let n = 2; n <= 20; n++) await b.publish(topic, { n });
    await until(() => g1.length === 20 && g2a.length + g2b.length === 20);
    expect(g1).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect([...g2a, ...g2b].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await s1();
    await s2();
    await s3();
    await a.close();
    await b.close();
  });

  it('publishes many events in order and hands them over in batches', async () => {
    const bus = await make();
    const topic = `t-${randomUUID()}`;
    const got: number[] = [];
    let batches = 0;
    await bus.publishMany(topic, Array.from({ length: 300 }, (_, n) => ({ n })));
    await bus.consumeBatch(topic, 'g', async (events) => {
      batches++;
      for (const e of events) got.push((e as { n: number }).n);
    });
    await until(() => got.length === 300);
    expect(got).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(batches).toBeLessThan(300);
    await bus.close();
  });

  it('redelivers an event whose handler failed', async () => {
    const bus = await make();
    const topic = `t-${randomUUID()}`;
    let failures = 0;
    const seen: string[] = [];
    await bus.consume(topic, 'g', async (e) => {
      if (failures < 1) {
        failures++;
        throw new Error('boom');
      }
      seen.push((e as { id: string }).id);
    });
    await bus.publish(topic, { id: 'x' });
    await until(() => seen.length === 1, 20_000);
    expect(seen).toEqual(['x']);
    await bus.close();
  });

  it('broadcasts to listeners in other bus instances, large payloads too', async () => {
    const a = await make();
    const b = await make();
    const channel = `c-${randomUUID()}`;
    const got: unknown[] = [];
    await b.listen(channel, (m) => got.push(m));
    await a.listen(channel, (m) => got.push(m));
    const big = { data: 'x'.repeat(20_000) };
    await a.broadcast(channel, { hello: 1 });
    await a.broadcast(channel, big);
    await until(() => got.length === 4);
    expect(got).toContainEqual({ hello: 1 });
    expect(got).toContainEqual(big);
    await a.close();
    await b.close();
  });
});
