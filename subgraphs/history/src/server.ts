// Starts the history subgraph: migrations, the change-event consumer (group `history` on the
// bus from REDIS_URL/DATABASE_URL, or `opts.bus`), GraphQL on /graphql. close() stops them all.
import { busFromEnv, createLogger, databaseFor, listenHost, listenPort, readEnv, requireContextSecret, startSubgraphServer, type EventBus } from '@strata/shared';
import { consumeChanges } from './consumer.ts';
import { createPrisma, migrate } from './db.ts';
import { createResolvers } from './resolvers/index.ts';
import { typeDefs } from './schema/index.ts';
import { changeStore } from './store/changes.ts';

export const SERVICE = 'history';

export async function start(env: NodeJS.ProcessEnv = process.env, opts: { bus?: EventBus } = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const secret = requireContextSecret(env);
  const config = readEnv(env);
  const db = databaseFor(SERVICE, env);
  const logger = createLogger(SERVICE);
  await migrate(db, logger);
  const prisma = createPrisma(db);
  let bus: EventBus | null = null;
  let stopConsumer: (() => Promise<void>) | null = null;
  try {
    bus = opts.bus ?? (await busFromEnv(env, SERVICE, logger));
    const store = changeStore(prisma, logger);
    stopConsumer = await consumeChanges(bus, store, logger);
    const running = await startSubgraphServer({
      name: SERVICE,
      port: listenPort(SERVICE, env),
      host: listenHost(env),
      secret,
      logger,
      schema: { typeDefs, resolvers: createResolvers({ store, maxPageSize: config.STRATA_MAX_PAGE_SIZE }) },
      onClose: async () => {
        await stopConsumer?.();
        if (!opts.bus) await bus?.close();
        await prisma.$disconnect();
      },
    });
    return { url: running.url, port: running.port, close: () => running.close() };
  } catch (err) {
    await stopConsumer?.().catch(() => {});
    if (!opts.bus) await bus?.close().catch(() => {});
    await prisma.$disconnect();
    throw err;
  }
}
