// Starts the inventory subgraph: migrations, kind tables in step with the schema in force,
// GraphQL on /graphql, and the outbox relay that feeds the change log.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations } from '@strata/db';
import {
  createLogger,
  createSchemaPool,
  databaseFor,
  listenHost,
  listenPort,
  readEnv,
  requireContextSecret,
  errors,
  SCHEMA_UPDATED_CHANNEL,
  startSubgraphServer,
} from '@strata/shared';
import { SchemaValidationError } from './model/kinds.ts';
import { currentSchema, mergeUploads, recordSchema, stateOf } from './model/store.ts';
import type { SchemaLoader } from './resolvers/schema-api.ts';
import type { InventoryRuntime } from './resolvers/request-state.ts';
import { branchParticipantRoutes, type ParticipantFaults } from './routes/branch-participant.ts';
import { readPolicyFromEnv } from './resolvers/read-permissions.ts';
import { statementCountPlugin } from './resolvers/statement-count.ts';
import { schemaModule } from './schema/index.ts';
import { syncTables } from './store/ddl.ts';
import { OutboxRelay, type Publisher } from './store/outbox.ts';
import { createPublisher } from './store/publisher.ts';

export const SERVICE = 'inventory';
const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../prisma');

// bigint columns (Number attributes, counts) as JS numbers; timestamps stay Date objects.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface RunningInventory {
  url: string;
  port: number;
  runtime: InventoryRuntime;
  relay: OutboxRelay;
  close(): Promise<void>;
}

export interface StartOptions {
  /** replaces the event bus (tests) */
  publisher?: Publisher;
  faults?: ParticipantFaults;
}

export async function start(env: NodeJS.ProcessEnv = process.env, opts: StartOptions = {}): Promise<RunningInventory> {
  const secret = requireContextSecret(env);
  const config = readEnv(env);
  const db = databaseFor(SERVICE, env);
  const logger = createLogger(SERVICE);

  await applyMigrations({ prismaDir: PRISMA_DIR, url: db.url, schema: db.schema, logger: { info: (m) => logger.info(m), warn: (m) => logger.warn(m) } });
  const pool = createSchemaPool({ url: db.url, schema: db.schema, max: 20, statementTimeoutMs: config.STRATA_STATEMENT_TIMEOUT });
  const publisher = opts.publisher ?? (await createPublisher(env, logger));
  try {
    const state = await currentSchema(pool);
    await syncTables(pool, state.schema);
    await recordSchema(pool, state, null);

    const relay = new OutboxRelay(pool, publisher, logger);
    let schemaState = state;
    let runtime: InventoryRuntime = {
      pool,
      schema: state.schema,
      limits: { defaultLimit: 100, maxLimit: config.STRATA_MAX_PAGE_SIZE },
      onCommitted: () => relay.kick(),
      canRead: readPolicyFromEnv(env),
    };
    let server: Awaited<ReturnType<typeof startSubgraphServer>> | null = null;
    // Schema loads are serialised: validate, create tables, record, swap the served schema.
    let loading: Promise<unknown> = Promise.resolve();
    const loader: SchemaLoader = {
      load: (uploads, author) => {
        const run = loading.then(async () => {
          let next;
          try {
            next = stateOf(mergeUploads(schemaState, uploads));
          } catch (err) {
            if (err instanceof SchemaValidationError) throw errors.validation(err.message, { problems: err.problems });
            throw err;
          }
          await syncTables(pool, next.schema);
          const changed = await recordSchema(pool, next, author);
          schemaState = next;
          runtime = { ...runtime, schema: next.schema };
          await server!.setSchema(schemaModule(runtime, loader));
          if (changed) await publisher.broadcast?.(SCHEMA_UPDATED_CHANNEL, { subgraph: SERVICE, version: next.hash });
          return { hash: next.hash, changed, kinds: [...next.schema.kinds.keys()].sort() };
        });
        loading = run.catch(() => {});
        return run;
      },
    };
    server = await startSubgraphServer({
      name: SERVICE,
      port: listenPort(SERVICE, env),
      host: listenHost(env),
      secret,
      logger,
      schema: schemaModule(runtime, loader),
      plugins: [statementCountPlugin()],
      routes: (app, helpers) => branchParticipantRoutes(() => runtime, logger, opts.faults)(app, helpers, secret),
    });
    relay.start();
    const running = server;
    return {
      url: running.url,
      port: running.port,
      get runtime() {
        return runtime;
      },
      relay,
      async close() {
        await running.close();
        await relay.stop();
        await publisher.close?.();
        await pool.end();
      },
    };
  } catch (err) {
    await publisher.close?.();
    await pool.end();
    throw err;
  }
}
