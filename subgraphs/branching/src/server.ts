// Starts the branching subgraph: migrations, bootstrap of `main` and the installation record,
// GraphQL on /graphql (branches; diff/validate/merge/rebase through the participants) and the
// internal branch lookup for the gateway.
import { busFromEnv, createLogger, databaseFor, listenHost, listenPort, requireContextSecret, startSubgraphServer, type EventBus } from '@strata/shared';
import { createPrisma, migrate } from './db.ts';
import { busSink, loggingSink, type BranchEventSink } from './events.ts';
import { branchingConfig } from './config.ts';
import { createResolvers } from './resolvers/index.ts';
import { internalRoutes } from './routes/internal.ts';
import { typeDefs } from './schema/index.ts';
import { createBranchStore, ensureInstallation } from './store/index.ts';

export const SERVICE = 'branching';

export interface StartOptions {
  /** where branch changes go (default: the bus from REDIS_URL/DATABASE_URL, see busFromEnv) */
  events?: BranchEventSink;
}

export async function start(env: NodeJS.ProcessEnv = process.env, opts: StartOptions = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const secret = requireContextSecret(env);
  const db = databaseFor(SERVICE, env);
  const logger = createLogger(SERVICE);
  const config = branchingConfig(env);

  await migrate(db, logger);
  const prisma = createPrisma(db);
  let bus: EventBus | null = null;
  try {
    const store = createBranchStore(prisma);
    await store.ensureMain();
    const installation = await ensureInstallation(prisma);
    bus = opts.events ? null : await busFromEnv(env, SERVICE, logger);
    const events = opts.events ?? (bus ? busSink(bus, logger) : loggingSink(logger));
    const running = await startSubgraphServer({
      name: SERVICE,
      port: listenPort(SERVICE, env),
      host: listenHost(env),
      secret,
      logger,
      schema: {
        typeDefs,
        resolvers: createResolvers({ store, events, logger, deploymentId: installation.deploymentId, secret, ...config }),
      },
      routes: internalRoutes({ secret, audience: SERVICE, store, logger }),
      onClose: async () => {
        await bus?.close();
        await prisma.$disconnect();
      },
    });
    return { url: running.url, port: running.port, close: () => running.close() };
  } catch (err) {
    await bus?.close();
    await prisma.$disconnect();
    throw err;
  }
}
