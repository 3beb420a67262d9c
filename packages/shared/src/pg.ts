// Postgres pools pinned to one subgraph's schema (its "slice"): every connection gets
// `search_path` set to the subgraph's schema, created on first use.
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface SchemaPoolOptions {
  url: string;
  schema: string;
  max?: number;
  applicationName?: string;
  /** statement_timeout of every connection in ms (STRATA_STATEMENT_TIMEOUT); 0/undefined = none */
  statementTimeoutMs?: number;
}

export function createSchemaPool(opts: SchemaPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? `strata-${opts.schema}`,
    // search_path is set in the startup packet: no extra round trip per connection
    options: `-c search_path=${quoteIdent(opts.schema)},public`,
    ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
  });
  pool.on('error', () => {
    /* idle client errors (e.g. server restart) are surfaced on the next query */
  });
  return pool;
}

export async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

/** Creates a database if missing (used by tests and the launcher). */
export async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (err) {
    // a concurrent creator won the race
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Runs one statement on a pooled connection and cancels it (pg_cancel_backend) when `signal`
 * aborts, e.g. because the client that asked went away.
 */
export async function queryCancellable<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[] | undefined,
  signal: AbortSignal | undefined,
): Promise<pg.QueryResult<R>> {
  if (!signal) return pool.query<R>(text, values);
  if (signal.aborted) throw Object.assign(new Error('canceling statement due to user request'), { code: '57014' });
  const client = await pool.connect();
  const pid = (client as unknown as { processID?: number }).processID;
  let cancelled = false;
  const cancel = () => {
    cancelled = true;
    if (pid) pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
  };
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await client.query<R>(text, values);
  } finally {
    signal.removeEventListener('abort', cancel);
    // a cancel may still be on its way: never hand this connection to another request
    client.release(cancelled ? true : undefined);
  }
}
