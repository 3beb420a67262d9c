// Driver-adapter factory the wasm schema engine talks through: stock @prisma/adapter-pg with the
// three corrections migrations need (see docs/development.md):
//  1. pg_catalog `"char"` columns (OID 18) are relabelled as text, else describing fails with
//     "Column type 'char' could not be deserialized";
//  2. a migration script runs as ONE simple query on the single pooled connection (Postgres runs
//     it as one implicit transaction; stock executeScript splits on `;` and breaks `$$` bodies);
//  3. our own connectToShadowDb: a temporary database dropped WITH (FORCE) after its pool closed
//     (stock behaviour with a connection string would use the MAIN database as shadow).
// Every connection's search_path is the target schema: migration SQL has no schema qualifiers.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { quoteIdent } from '@strata/shared';

const CHAR_OID = 18;
const TEXT_OID = 25;

interface FieldLike {
  dataTypeID: number;
}
interface ResultLike {
  fields?: FieldLike[];
}

function relabelChar(res: unknown): unknown {
  for (const r of Array.isArray(res) ? (res as ResultLike[]) : [res as ResultLike]) {
    for (const f of r?.fields ?? []) if (f.dataTypeID === CHAR_OID) f.dataTypeID = TEXT_OID;
  }
  return res;
}

/** pg.Client whose results report `"char"` columns as text (correction 1). */
class CharAsTextClient extends pg.Client {
  // pg's query() has many overloads (promise, callback, submittable): wrap whichever is used.
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const cb = args[last];
    if (typeof cb === 'function') {
      args[last] = (err: unknown, res: unknown) => (cb as (e: unknown, r: unknown) => void)(err, err ? res : relabelChar(res));
    }
    const ret = (super.query as (...a: unknown[]) => unknown).apply(this, args);
    if (typeof cb !== 'function' && ret && typeof (ret as Promise<unknown>).then === 'function') {
      return (ret as Promise<unknown>).then(relabelChar) as never;
    }
    return ret as never;
  }
}

function toDriverError(err: unknown): unknown {
  const e = err as Partial<pg.DatabaseError>;
  if (e && typeof e.code === 'string' && typeof e.severity === 'string') {
    return new DriverAdapterError({
      kind: 'postgres',
      code: e.code,
      severity: e.severity,
      message: e.message ?? String(err),
      detail: e.detail,
      column: e.column,
      hint: e.hint,
    });
  }
  return err;
}

/** `url` pointing at another database on the same server (pg lets the connection string win
 * over a separate `database` field, so the URL itself must be rewritten). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function schemaPool(url: string, schema: string, database?: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: database ? withDatabase(url, database) : url,
    // one connection: the engine's session advisory lock and its queries share it
    max: 1,
    Client: CharAsTextClient,
    application_name: 'strata-migrate',
    options: `-c search_path=${quoteIdent(schema)}`,
  });
  pool.on('error', () => {
    /* idle-client errors surface on the next query */
  });
  return pool;
}

function wrapAdapter(inner: SqlDriverAdapter, pool: pg.Pool, schema: string, dispose: () => Promise<void>): SqlDriverAdapter {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (q) => inner.queryRaw(q),
    executeRaw: (q) => inner.executeRaw(q),
    startTransaction: (level) => inner.startTransaction(level),
    // correction 2: the whole script as one simple-protocol query (implicitly atomic)
    executeScript: async (script) => {
      try {
        await pool.query(script);
      } catch (err) {
        throw toDriverError(err);
      }
    },
    getConnectionInfo: () => ({ schemaName: schema, supportsRelationJoins: true }),
    dispose,
  };
}

export interface MigrationAdapterOptions {
  url: string;
  schema: string;
}

export interface MigrationAdapterHandle {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Ends every pool (releases the engine's advisory lock) and drops leftover shadow databases. */
  close(): Promise<void>;
}

/** Adapter factory over the real database (`url`), every connection pinned to `schema`. */
export function createMigrationAdapterFactory(opts: MigrationAdapterOptions): MigrationAdapterHandle {
  const cleanups = new Set<() => Promise<void>>();
  const track = (fn: () => Promise<void>) => {
    let done = false;
    const once = async () => {
      if (done) return;
      done = true;
      cleanups.delete(once);
      await fn();
    };
    cleanups.add(once);
    return once;
  };

  const connectTo = async (database?: string, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> => {
    const pool = schemaPool(opts.url, opts.schema, database);
    if (database) {
      // never let a shadow replay land anywhere but the temporary database
      const { rows } = await pool.query<{ db: string }>('SELECT current_database() AS db').catch(async (err: unknown) => {
        await pool.end().catch(() => undefined);
        await onDispose?.();
        throw err;
      });
      if (rows[0]?.db !== database) {
        await pool.end().catch(() => undefined);
        await onDispose?.();
        throw new Error(`shadow database connection reached "${rows[0]?.db}" instead of "${database}"`);
      }
    }
    const inner = await new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0], { schema: opts.schema }).connect();
    const dispose = track(async () => {
      await pool.end().catch(() => undefined);
      await onDispose?.();
    });
    return wrapAdapter(inner, pool, opts.schema, dispose);
  };

  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(),
    // correction 3: a real temporary database, never the main one
    connectToShadowDb: async () => {
      const name = `strata_shadow_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      await adminQuery(opts.url, `CREATE DATABASE ${quoteIdent(name)}`);
      try {
        await adminQuery(opts.url, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(opts.schema)}`, name);
      } catch (err) {
        await adminQuery(opts.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        throw err;
      }
      return connectTo(name, () => adminQuery(opts.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };

  return {
    factory,
    close: async () => {
      for (const fn of [...cleanups]) await fn();
    },
  };
}

async function adminQuery(url: string, sql: string, database?: string): Promise<void> {
  const client = new pg.Client({ connectionString: database ? withDatabase(url, database) : url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
