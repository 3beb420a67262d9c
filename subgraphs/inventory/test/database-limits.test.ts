// Database work is bounded (issue #8, item 6): a per-statement time limit answered with TIMEOUT,
// work cancelled when the caller goes away, and regular expressions Postgres cannot bound refused.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTEXT_HEADER, newRequestContext, signContext } from '@strata/shared';
import { ADMIN, callSubgraph, createTestDatabase, serviceEnv, TEST_SECRET, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

let db: TestDatabase;
let inv: RunningInventory;
let sql: pg.Pool;
const gql = (q: string, v?: Record<string, unknown>) => callSubgraph(inv.url, 'inventory', q, v, { user: null });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await createTestDatabase('inv_limits');
  inv = await start(serviceEnv(db.url, { STRATA_STATEMENT_TIMEOUT: '300ms', STRATA_ALLOW_ANONYMOUS_READ: 'true' }), { publisher: { publish: async () => {} } });
  sql = new pg.Pool({ connectionString: db.url, max: 3 });
  await callSubgraph(inv.url, 'inventory', `mutation { site_create(data: {name: "a", slug: "a", comments: "${'x'.repeat(1000)}"}) { id } }`);
});
afterAll(async () => {
  await sql?.end();
  await inv?.close();
  await db?.drop();
});

/** Holds an exclusive lock on the site table until `release` is called. */
async function lockSites(): Promise<() => Promise<void>> {
  const c = await sql.connect();
  await c.query('BEGIN');
  await c.query('LOCK TABLE inventory.dcim_site IN ACCESS EXCLUSIVE MODE');
  return async () => {
    await c.query('ROLLBACK');
    c.release();
  };
}

async function waitingQueries(): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-inventory' AND state = 'active' AND wait_event_type = 'Lock'`,
  );
  return rows[0]!.n;
}

it('a statement past STRATA_STATEMENT_TIMEOUT answers TIMEOUT (reads and writes), and the service goes on', async () => {
  const release = await lockSites();
  try {
    const read = await gql(`{ site_list { total_count } }`);
    expect(read.errors?.[0]?.extensions?.code).toBe('TIMEOUT');
    const write = await callSubgraph(inv.url, 'inventory', `mutation { site_create(data: {name: "b", slug: "b"}) { id } }`);
    expect(write.errors?.[0]?.extensions?.code).toBe('TIMEOUT');
  } finally {
    await release();
  }
  const after = await gql(`{ site_list { total_count } }`);
  expect(after.data!.site_list.total_count).toBe(1);
});

it('cancels the database work of a caller that went away', async () => {
  // a long limit for this check: only the disconnect may end the waiting statement
  const slow = await start(serviceEnv(db.url, { STRATA_STATEMENT_TIMEOUT: '60s', STRATA_ALLOW_ANONYMOUS_READ: 'true' }), { publisher: { publish: async () => {} } });
  const release = await lockSites();
  try {
    const token = await signContext(newRequestContext({ user: ADMIN }), { secret: TEST_SECRET, audience: 'inventory' });
    const abort = new AbortController();
    const pending = fetch(slow.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
      body: JSON.stringify({ query: '{ site_list { total_count } }' }),
      signal: abort.signal,
    }).catch(() => null);
    for (let i = 0; i < 50 && (await waitingQueries()) === 0; i++) await sleep(50);
    expect(await waitingQueries()).toBe(1);
    abort.abort();
    await pending;
    for (let i = 0; i < 50 && (await waitingQueries()) > 0; i++) await sleep(50);
    expect(await waitingQueries()).toBe(0);
  } finally {
    await release();
    await slow.close();
  }
});

it('refuses regular expressions with back-references and over-long patterns (BAD_USER_INPUT)', async () => {
  const backref = await gql(`{ site_list(filters: {comments: {regex: "(.*)(.*)(.*)(.*)(.*)\\\\5\\\\4\\\\3\\\\2\\\\1!"}}) { total_count } }`);
  expect(backref.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const long = await gql(`query($r: String!) { site_list(filters: {name: {i_regex: $r}}) { total_count } }`, { r: 'a'.repeat(10_000) });
  expect(long.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const fine = await gql(`{ site_list(filters: {comments: {regex: "^x+$"}}) { total_count } }`);
  expect(fine.data!.site_list.total_count).toBe(1);
});
