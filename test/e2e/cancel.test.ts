// A client that goes away stops costing the database: the gateway aborts its subgraph fetches
// and the subgraph cancels the running statement (issue #8, item 6), through the real stack.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STACK_ADMIN_TOKEN, startStack, type Stack } from '../stack.ts';

let stack: Stack;
let sql: pg.Pool;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startStack({ STRATA_STATEMENT_TIMEOUT: '60s' });
  sql = new pg.Pool({ connectionString: stack.db.url, max: 3 });
  await stack.graphql(`mutation { site_create(data: {name: "c", slug: "c"}) { id } }`);
});
afterAll(async () => {
  await sql?.end();
  await stack?.close();
});

const waiting = async () =>
  (
    await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-inventory' AND state = 'active' AND wait_event_type = 'Lock'`,
    )
  ).rows[0]!.n;

it('cancels the database statement of a GraphQL client that disconnected', async () => {
  const c = await sql.connect();
  await c.query('BEGIN');
  await c.query('LOCK TABLE inventory.dcim_site IN ACCESS EXCLUSIVE MODE');
  try {
    const abort = new AbortController();
    const pending = fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${STACK_ADMIN_TOKEN}` },
      body: JSON.stringify({ query: '{ site_list { total_count } }' }),
      signal: abort.signal,
    }).catch(() => null);
    for (let i = 0; i < 60 && (await waiting()) === 0; i++) await sleep(50);
    expect(await waiting()).toBe(1);
    abort.abort();
    await pending;
    for (let i = 0; i < 60 && (await waiting()) > 0; i++) await sleep(50);
    expect(await waiting()).toBe(0);
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
  // the system goes on answering
  const after = await stack.graphql(`{ site_list { total_count } }`);
  expect(after.data!.site_list.total_count).toBe(1);
});
