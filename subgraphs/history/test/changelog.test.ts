// The history subgraph on a real bus: change events become change-log entries once (replays are
// ignored), filtered and paginated, time-travel aware, and exposed on every node via `Node`.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHANGES_TOPIC, createBus, type ChangeEvent, type EventBus } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start } from '../src/server.ts';

let db: TestDatabase;
let bus: EventBus;
let history: Awaited<ReturnType<typeof start>>;
const gql = (q: string, v?: Record<string, unknown>, ctx?: Parameters<typeof callSubgraph>[4]) => callSubgraph(history.url, 'history', q, v, ctx);
const node = randomUUID();

const event = (action: ChangeEvent['action'], time: string): ChangeEvent => ({
  id: randomUUID(),
  kind: 'DcimSite',
  objectId: node,
  action,
  branch: 'main',
  time,
  userId: 'u1',
  userName: 'alice',
  requestId: randomUUID(),
  display: 'AMS',
  prechange: null,
  postchange: { name: 'AMS' },
});

beforeAll(async () => {
  db = await createTestDatabase('history');
  bus = await createBus({ databaseUrl: db.url, service: 'test' });
  history = await start(serviceEnv(db.url), { bus });
});
afterAll(async () => {
  await history?.close();
  await bus?.close();
  await db?.drop();
});

it('records events once and serves them newest first, with filters, pagination and time travel', async () => {
  const created = event('create', '2024-01-01T00:00:00.000Z');
  const updated = event('update', '2024-02-01T00:00:00.000Z');
  await bus.publishMany(CHANGES_TOPIC, [created, updated, created]);
  let list: { total_count: number; results: { action: string; user_name: string }[] } = { total_count: 0, results: [] };
  for (let i = 0; i < 100 && list.total_count < 2; i++) {
    list = (await gql(`{ changelog_list(filters: {changed_object_id: {exact: "${node}"}}) { total_count results { action user_name } } }`)).data!.changelog_list;
    if (list.total_count < 2) await new Promise((r) => setTimeout(r, 50));
  }
  expect(list).toEqual({ total_count: 2, results: [{ action: 'update', user_name: 'alice' }, { action: 'create', user_name: 'alice' }] });
  const page = await gql(`{ changelog_list(pagination: {offset: 1, limit: 1}) { page_info { offset limit } results { action } } }`);
  expect(page.data!.changelog_list).toEqual({ page_info: { offset: 1, limit: 1 }, results: [{ action: 'create' }] });
  const past = await gql(`{ changelog_list { total_count } }`, {}, { at: '2024-01-15T00:00:00Z' });
  expect(past.data!.changelog_list.total_count).toBe(1);
  const entities = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Node { changelog { action } } } }`, { r: [{ __typename: 'Node', id: node }] });
  expect(entities.data!._entities).toEqual([{ changelog: [{ action: 'update' }, { action: 'create' }] }]);
});

it('refuses requests without the gateway context', async () => {
  const res = await fetch(history.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ changelog_list { total_count } }"}' });
  expect(res.status).toBe(401);
});
