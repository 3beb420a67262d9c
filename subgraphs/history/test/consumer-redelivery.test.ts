// The change-log consumer under a failure: when storing a batch fails, the bus hands the batch
// over again and every event ends up in the change log exactly once (issue #9: "the history
// consumer getting a redelivery"). Real Postgres bus, real history service.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHANGES_TOPIC, createBus, type ChangeEvent, type EventBus } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start } from '../src/server.ts';

let db: TestDatabase;
let bus: EventBus;
let history: Awaited<ReturnType<typeof start>>;
let failures = 0;

/** The real bus, with the first batch handed to the history consumer failing. */
function flakyBus(real: EventBus): EventBus {
  return {
    ...real,
    publish: real.publish.bind(real),
    publishMany: real.publishMany.bind(real),
    consume: real.consume.bind(real),
    broadcast: real.broadcast.bind(real),
    listen: real.listen.bind(real),
    close: real.close.bind(real),
    consumeBatch: (topic, group, handler) =>
      real.consumeBatch(topic, group, async (events) => {
        if (topic === CHANGES_TOPIC && failures < 1) {
          failures++;
          throw new Error('injected failure while storing');
        }
        await handler(events);
      }),
  };
}

beforeAll(async () => {
  db = await createTestDatabase('hist_redelivery');
  bus = await createBus({ databaseUrl: db.url, service: 'test-history' });
  history = await start(serviceEnv(db.url, { REDIS_URL: '' }), { bus: flakyBus(bus) });
});
afterAll(async () => {
  await history?.close();
  await bus?.close();
  await db?.drop();
});

it('stores every event exactly once after a failed batch is redelivered', async () => {
  const node = randomUUID();
  const events: ChangeEvent[] = Array.from({ length: 5 }, (_, i) => ({
    id: randomUUID(),
    kind: 'DcimSite',
    objectId: node,
    action: i === 0 ? 'create' : 'update',
    branch: 'main',
    time: new Date(Date.now() + i).toISOString(),
    userId: null,
    userName: 'admin',
    requestId: randomUUID(),
    display: `site v${i}`,
    prechange: null,
    postchange: { description: `v${i}` },
  }));
  await bus.publishMany(CHANGES_TOPIC, events);
  let ids: string[] = [];
  for (let i = 0; i < 100 && ids.length < 5; i++) {
    const r = await callSubgraph(
      history.url,
      'history',
      `query($id: ID!) { changelog_list(filters: {changed_object_id: {exact: $id}}, pagination: {limit: 50}) { results { id } } }`,
      { id: node },
    );
    ids = (r.data?.changelog_list?.results ?? []).map((x: { id: string }) => x.id);
    if (ids.length < 5) await new Promise((res) => setTimeout(res, 100));
  }
  expect(failures).toBe(1);
  expect(ids.sort()).toEqual(events.map((e) => e.id).sort());
});
