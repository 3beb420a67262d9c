// The outbox relay under a failing bus: writes commit regardless, events stay in the outbox
// while publishing fails, and the relay publishes every one of them, in commit order, once the
// bus answers again (issue #9: "the outbox relay retrying").
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let down = true;
let failedCalls = 0;
const published: { id: string; objectId: string; action: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase('inv_outbox');
  inv = await start(serviceEnv(db.url), {
    publisher: {
      publish: async () => {
        throw new Error('use publishMany');
      },
      publishMany: async (_topic, events) => {
        if (down) {
          failedCalls++;
          throw new Error('bus unavailable (injected)');
        }
        published.push(...(events as typeof published));
      },
    },
  });
});
afterAll(async () => {
  await inv?.close();
  await db?.drop();
});

it('keeps events while the bus is down and publishes them all, in order, when it is back', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await callSubgraph(inv.url, 'inventory', `mutation($s: String!) { tag_create(data: {name: $s, slug: $s}) { id } }`, { s: `relay-${i}` });
    expect(r.errors).toBeUndefined(); // the write does not depend on the bus
    ids.push(r.data!.tag_create.id);
  }
  await inv.relay.flush().catch(() => {});
  expect(failedCalls).toBeGreaterThan(0);
  expect(published).toEqual([]);
  down = false;
  for (let i = 0; i < 50 && published.length < 5; i++) {
    await inv.relay.flush();
    if (published.length < 5) await new Promise((r) => setTimeout(r, 100));
  }
  expect(published.map((e) => e.objectId)).toEqual(ids);
  expect(published.every((e) => e.action === 'create')).toBe(true);
});
