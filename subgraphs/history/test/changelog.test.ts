// The history subgraph on a real bus (Postgres always; Redis too when REDIS_URL or
// 127.0.0.1:6379 answers): change events become change-log entries once (replays ignored,
// malformed events dropped without blocking the topic), with NetBox v2 filters, pagination and
// order, time travel, branch scope, `Node.changelog` through `_entities`, and the context gate.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busFromEnv, CHANGES_TOPIC, type ChangeEvent, type EventBus } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start } from '../src/server.ts';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** Redis answers PING (plain RESP over a socket: no client library needed here) */
const redisUp = await new Promise<boolean>((resolve) => {
  const u = new URL(REDIS_URL);
  const sock = connect({ host: u.hostname, port: Number(u.port || 6379) });
  const done = (ok: boolean) => {
    sock.destroy();
    resolve(ok);
  };
  sock.setTimeout(1_000, () => done(false));
  sock.once('error', () => done(false));
  sock.once('connect', () => sock.write(u.password ? `AUTH ${decodeURIComponent(u.password)}\r\nPING\r\n` : 'PING\r\n'));
  sock.on('data', (d) => {
    if (d.toString().includes('PONG')) done(true);
    else if (d.toString().startsWith('-')) done(false);
  });
});

type Ctx = Parameters<typeof callSubgraph>[4];
interface Change {
  id: string;
  time: string;
  action: string;
  user_name: string | null;
  changed_object_type: string;
  changed_object_id: string;
  object_repr: string;
  request_id: string;
  branch: string;
  prechange_data: unknown;
  postchange_data: unknown;
}

const ALL = 'id time action user_name changed_object_type changed_object_id object_repr request_id branch prechange_data postchange_data';

describe.each([
  ['postgres', true, { REDIS_URL: '' }],
  ['redis', redisUp, { REDIS_URL }],
] as const)('history on the %s bus', (_name, enabled, busEnv) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let bus: EventBus;
  let history: Awaited<ReturnType<typeof start>> | null = null;
  const gql = (q: string, v?: Record<string, unknown>, ctx?: Ctx) => callSubgraph(history!.url, 'history', q, v, ctx);

  const site = randomUUID();
  const device = randomUUID();
  const quiet = randomUUID();
  const req = randomUUID();
  const event = (over: Partial<ChangeEvent>): ChangeEvent => ({
    id: randomUUID(),
    kind: 'DcimSite',
    objectId: site,
    action: 'update',
    branch: 'main',
    time: '2024-01-01T00:00:00.000Z',
    userId: 'u1',
    userName: 'alice',
    requestId: randomUUID(),
    display: 'AMS1',
    prechange: null,
    postchange: { name: 'AMS1' },
    ...over,
  });
  // main: site created Jan 1, updated Feb 1 (by bob), device created Mar 1 by nobody; branch change Apr 1
  const siteCreated = event({ action: 'create', time: '2024-01-01T00:00:00.000Z', requestId: req });
  const siteUpdated = event({ action: 'update', time: '2024-02-01T00:00:00.000Z', userName: 'Bob', prechange: { name: 'AMS1' }, postchange: { name: 'AMS-1' } });
  const deviceCreated = event({ kind: 'DcimDevice', objectId: device, action: 'create', time: '2024-03-01T00:00:00.000Z', userId: null, userName: null, display: 'sw1' });
  const onBranch = event({ action: 'update', time: '2024-04-01T00:00:00.000Z', branch: 'feature', display: 'AMS-2' });
  const mainLater = event({
    kind: 'DcimDevice',
    objectId: device,
    action: 'delete',
    time: '2024-05-01T00:00:00.000Z',
    display: 'sw1',
    prechange: { name: 'sw1' },
    postchange: null,
  });
  const MAIN = 4; // siteCreated, siteUpdated, deviceCreated, mainLater

  async function waitForTotal(expected: number, ctx?: Ctx): Promise<void> {
    const end = Date.now() + 20_000;
    for (;;) {
      const res = await gql('{ changelog_list { total_count } }', {}, ctx);
      const total = res.data?.changelog_list.total_count as number | undefined;
      if (total === expected) return;
      if (Date.now() > end) throw new Error(`expected ${expected} changes, have ${total}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const list = async (args: string, ctx?: Ctx, fields = 'action changed_object_type user_name') => {
    const res = await gql(`{ changelog_list${args} { total_count page_info { offset limit } results { ${fields} } } }`, {}, ctx);
    expect(res.errors).toBeUndefined();
    return res.data!.changelog_list as { total_count: number; page_info: { offset: number; limit: number }; results: Partial<Change>[] };
  };

  beforeAll(async () => {
    if (!enabled) return;
    db = await createTestDatabase('history');
    env = serviceEnv(db.url, { ...busEnv, STRATA_MAX_PAGE_SIZE: '50' });
    history = await start(env);
    bus = await busFromEnv(env, 'test');
    await bus.publishMany(CHANGES_TOPIC, [siteCreated, siteUpdated, siteCreated]);
    await bus.publish(CHANGES_TOPIC, { id: 'not-a-uuid', kind: 'DcimSite' }); // malformed: dropped
    await bus.publish(CHANGES_TOPIC, { ...event({}), objectId: 'not-a-uuid' }); // unstorable: dropped
    await bus.publishMany(CHANGES_TOPIC, [deviceCreated, onBranch, mainLater, siteUpdated]);
    await waitForTotal(MAIN);
  });
  afterAll(async () => {
    await history?.close();
    await bus?.close();
    await db?.drop();
  });

  it.runIf(enabled)('records each event once, newest first, with every field', async () => {
    const res = await list('', undefined, ALL);
    expect(res.total_count).toBe(MAIN);
    expect(res.results.map((r) => r.id)).toEqual([mainLater.id, deviceCreated.id, siteUpdated.id, siteCreated.id]);
    expect(res.results[2]).toEqual({
      id: siteUpdated.id,
      time: '2024-02-01T00:00:00.000Z',
      action: 'update',
      user_name: 'Bob',
      changed_object_type: 'DcimSite',
      changed_object_id: site,
      object_repr: 'AMS1',
      request_id: siteUpdated.requestId,
      branch: 'main',
      prechange_data: { name: 'AMS1' },
      postchange_data: { name: 'AMS-1' },
    });
    expect(res.results[0]!.postchange_data).toBeNull();
  });

  it.runIf(enabled)('filters with NetBox v2 lookups and AND/OR/NOT', async () => {
    const count = async (filters: string, ctx?: Ctx) => (await list(`(filters: ${filters})`, ctx)).total_count;
    expect(await count(`{changed_object_type: {exact: "DcimDevice"}}`)).toBe(2);
    expect(await count(`{changed_object_id: {exact: "${site}"}}`)).toBe(2);
    expect(await count(`{changed_object_id: {in_list: ["${site}", "${device}"]}}`)).toBe(4);
    expect(await count(`{changed_object_id: {exact: "nope"}}`)).toBe(0);
    expect(await count(`{action: {exact: "create"}}`)).toBe(2);
    expect(await count(`{action: {in_list: ["update", "delete"]}}`)).toBe(2);
    expect(await count(`{user_name: {exact: "bob"}}`)).toBe(0);
    expect(await count(`{user_name: {i_exact: "bob"}}`)).toBe(1);
    expect(await count(`{user_name: {i_contains: "LIC"}}`)).toBe(2);
    expect(await count(`{user_name: {starts_with: "al"}}`)).toBe(2);
    expect(await count(`{user_name: {is_null: true}}`)).toBe(1);
    expect(await count(`{user_name: {is_null: false}}`)).toBe(3);
    expect(await count(`{request_id: {exact: "${req}"}}`)).toBe(1);
    expect(await count(`{time: {gte: "2024-02-01T00:00:00Z"}}`)).toBe(3);
    expect(await count(`{time: {gte: "2024-01-15T00:00:00Z", lte: "2024-03-01T00:00:00Z"}}`)).toBe(2);
    expect(await count(`{time: {range: {start: "2024-01-01T00:00:00Z", end: "2024-02-01T00:00:00Z"}}}`)).toBe(2);
    expect(await count(`{time: {exact: "2024-03-01T00:00:00Z"}}`)).toBe(1);
    expect(await count(`{action: {exact: "create"}, OR: {action: {exact: "delete"}}}`)).toBe(3);
    expect(await count(`{changed_object_type: {exact: "DcimSite"}, NOT: {action: {exact: "create"}}}`)).toBe(1);
    expect(await count(`{AND: {action: {exact: "create"}}, changed_object_type: {exact: "DcimDevice"}}`)).toBe(1);
    // a branch filter reads that branch's change log from anywhere
    expect(await count(`{branch: {exact: "feature"}}`)).toBe(1);
    const literal = await gql(`{ changelog_list(filters: {time: {gte: "yesterday"}}) { total_count } }`);
    expect(literal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variable = await gql(`query($f: ObjectChangeFilter) { changelog_list(filters: $f) { total_count } }`, { f: { time: { gte: 'yesterday' } } });
    expect(variable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(variable.data ?? null).toBeNull();
  });

  it.runIf(enabled)('paginates and orders', async () => {
    const p = await list('(pagination: {offset: 1, limit: 2})', undefined, 'id');
    expect(p).toEqual({ total_count: MAIN, page_info: { offset: 1, limit: 2 }, results: [{ id: deviceCreated.id }, { id: siteUpdated.id }] });
    expect((await list('(pagination: {limit: 1000})')).page_info).toEqual({ offset: 0, limit: 50 }); // STRATA_MAX_PAGE_SIZE
    expect((await list('(pagination: {offset: 10})')).results).toEqual([]);
    const ordered = await list('(order: {action: ASC, time: ASC})', undefined, 'action time');
    expect(ordered.results).toEqual([
      { action: 'create', time: '2024-01-01T00:00:00.000Z' },
      { action: 'create', time: '2024-03-01T00:00:00.000Z' },
      { action: 'delete', time: '2024-05-01T00:00:00.000Z' },
      { action: 'update', time: '2024-02-01T00:00:00.000Z' },
    ]);
    const ids = [siteCreated.id, siteUpdated.id, deviceCreated.id, mainLater.id].sort();
    const keyset = await list(`(pagination: {start: "${ids[0]}", limit: 2})`, undefined, 'id');
    expect(keyset.results.map((r) => r.id)).toEqual(ids.slice(1, 3));
    const neg = await gql('{ changelog_list(pagination: {offset: -1}) { total_count } }');
    expect(neg.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.runIf(enabled)('reads one change by id; unknown ids are NODE_NOT_FOUND', async () => {
    const one = await gql(`{ changelog(id: "${siteCreated.id}") { id action request_id } }`);
    expect(one.data!.changelog).toEqual({ id: siteCreated.id, action: 'create', request_id: req });
    for (const id of [randomUUID(), 'garbage']) {
      const res = await gql(`{ changelog(id: "${id}") { id } }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('NODE_NOT_FOUND');
    }
  });

  it.runIf(enabled)('adds changelog to every node through the Node entity interface', async () => {
    const res = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Node { id changelog { action time } } } }`, {
      r: [
        { __typename: 'Node', id: site },
        { __typename: 'Node', id: device },
        { __typename: 'Node', id: quiet },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      {
        id: site,
        changelog: [
          { action: 'update', time: '2024-02-01T00:00:00.000Z' },
          { action: 'create', time: '2024-01-01T00:00:00.000Z' },
        ],
      },
      {
        id: device,
        changelog: [
          { action: 'delete', time: '2024-05-01T00:00:00.000Z' },
          { action: 'create', time: '2024-03-01T00:00:00.000Z' },
        ],
      },
      { id: quiet, changelog: [] },
    ]);
    const paged = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Node { changelog(pagination: {offset: 1, limit: 1}) { action } } } }`, {
      r: [
        { __typename: 'Node', id: site },
        { __typename: 'Node', id: device },
      ],
    });
    expect(paged.data!._entities).toEqual([{ changelog: [{ action: 'create' }] }, { changelog: [{ action: 'create' }] }]);
  });

  it.runIf(enabled)('travels in time: only changes up to `at`', async () => {
    const at = { at: '2024-02-15T00:00:00Z' };
    expect((await list('', at)).total_count).toBe(2);
    const gone = await gql(`{ changelog(id: "${deviceCreated.id}") { id } }`, {}, at);
    expect(gone.errors?.[0]?.extensions?.code).toBe('NODE_NOT_FOUND');
    const ent = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Node { changelog { action } } } }`, { r: [{ __typename: 'Node', id: device }] }, at);
    expect(ent.data!._entities).toEqual([{ changelog: [] }]);
  });

  it.runIf(enabled)('scopes to the branch: main plus its own changes; isolated branches see main as of branched_from', async () => {
    const feature = { branch: 'feature' };
    expect((await list('')).total_count).toBe(MAIN);
    expect((await list('', feature)).total_count).toBe(MAIN + 1);
    const isolated = { branch: 'feature', branchMeta: { branchedFrom: '2024-02-15T00:00:00.000Z', isolated: true } };
    const res = await list('', isolated, 'id');
    expect(res.results.map((r) => r.id)).toEqual([onBranch.id, siteUpdated.id, siteCreated.id]);
    const ent = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Node { changelog { id } } } }`, { r: [{ __typename: 'Node', id: site }] }, isolated);
    expect(ent.data!._entities).toEqual([{ changelog: [{ id: onBranch.id }, { id: siteUpdated.id }, { id: siteCreated.id }] }]);
  });

  it.runIf(enabled)('skips an event the database refuses and keeps recording the others', async () => {
    // Postgres text cannot hold NUL: the batch insert fails, the events are retried one by one
    const refused = event({ objectId: quiet, branch: 'other', display: 'bad \u0000 name' });
    const fine = event({ objectId: quiet, branch: 'other', display: 'fine' });
    await bus.publishMany(CHANGES_TOPIC, [refused, fine]);
    const end = Date.now() + 20_000;
    let found = await gql(`{ changelog(id: "${fine.id}") { object_repr } }`, {}, { branch: 'other' });
    while (found.errors && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      found = await gql(`{ changelog(id: "${fine.id}") { object_repr } }`, {}, { branch: 'other' });
    }
    expect(found.data!.changelog).toEqual({ object_repr: 'fine' });
    const bad = await gql(`{ changelog(id: "${refused.id}") { id } }`, {}, { branch: 'other' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('NODE_NOT_FOUND');
  });

  it.runIf(enabled)('refuses requests without a valid gateway context', async () => {
    const body = JSON.stringify({ query: '{ changelog_list { total_count } }' });
    const none = await fetch(history!.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const forged = await fetch(history!.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-strata-context': 'e30.e30.x' }, body });
    expect(forged.status).toBe(401);
  });

  it.runIf(enabled)('stops consuming on close and catches up on the next start', async () => {
    await history!.close();
    history = null;
    const missed = event({ objectId: quiet, action: 'create', time: '2024-06-01T00:00:00.000Z' });
    await bus.publish(CHANGES_TOPIC, missed);
    history = await start(env);
    await waitForTotal(MAIN + 1);
    const one = await gql(`{ changelog(id: "${missed.id}") { changed_object_id } }`);
    expect(one.data!.changelog).toEqual({ changed_object_id: quiet });
  });
});
