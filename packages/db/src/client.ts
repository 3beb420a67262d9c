// prismaAdapter: the PrismaPg driver adapter for one subgraph's slice of the database.
// Two things pin it to the schema: `schema` (the query compiler qualifies every table with it)
// and the connections' search_path (raw SQL such as $queryRaw without qualifiers lands there too).
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { quoteIdent, readEnv } from '@strata/shared';

export interface PrismaAdapterOptions {
  /** Connection string (as returned by `databaseFor`, without `?schema=`). */
  url: string;
  /** The subgraph's Postgres schema. */
  schema: string;
  /** Extra pg.Pool settings (max, idleTimeoutMillis, ...). */
  pool?: Omit<pg.PoolConfig, 'connectionString' | 'options'>;
}

// adapter-pg is typed against a newer @types/pg than the workspace's; the runtime pg is the same
type PgConfig = Exclude<ConstructorParameters<typeof PrismaPg>[0], string>;

/** `new PrismaClient({ adapter: prismaAdapter(databaseFor('auth')) })` */
export function prismaAdapter(db: PrismaAdapterOptions): PrismaPg {
  if (!db?.url || !db.schema) throw new TypeError('prismaAdapter: url and schema are required');
  // every statement is bounded (STRATA_STATEMENT_TIMEOUT, default 15 s) unless the caller says otherwise
  const timeout = readEnv(process.env).STRATA_STATEMENT_TIMEOUT;
  return new PrismaPg(
    {
      application_name: `strata-${db.schema}`,
      ...(timeout ? { statement_timeout: timeout } : {}),
      ...db.pool,
      connectionString: db.url,
      options: `-c search_path=${quoteIdent(db.schema)},public`,
    } as PgConfig,
    { schema: db.schema },
  );
}
