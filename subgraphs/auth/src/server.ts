// Starts the auth subgraph: migrations, first-start admin bootstrap, GraphQL on /graphql and the
// internal authentication endpoint for the gateway.
import { createLogger, databaseFor, listenPort, requireContextSecret, startSubgraphServer } from '@strata/shared';
import { bootstrapAdmin } from './bootstrap.ts';
import { readAuthConfig } from './config.ts';
import { createPrisma, migrate } from './db.ts';
import { noJwtVerifier } from './jwt.ts';
import { createResolvers } from './resolvers/index.ts';
import { internalRoutes } from './routes/internal.ts';
import { typeDefs } from './schema/index.ts';
import { createStore } from './store/index.ts';

export const SERVICE = 'auth';

export async function start(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const secret = requireContextSecret(env);
  const config = readAuthConfig(env);
  const db = databaseFor(SERVICE, env);
  const logger = createLogger(SERVICE);

  await migrate(db, logger);
  const prisma = createPrisma(db);
  try {
    const store = createStore(prisma);
    await bootstrapAdmin({ prisma, config, logger });
    const running = await startSubgraphServer({
      name: SERVICE,
      port: listenPort(SERVICE, env),
      secret,
      logger,
      schema: { typeDefs, resolvers: createResolvers({ store, maxPageSize: config.maxPageSize }) },
      routes: internalRoutes({
        secret,
        audience: SERVICE,
        logger,
        deps: { apiTokens: store.apiTokens, jwt: noJwtVerifier, logger },
      }),
      onClose: () => prisma.$disconnect(),
    });
    return { url: running.url, port: running.port, close: () => running.close() };
  } catch (err) {
    await prisma.$disconnect();
    throw err;
  }
}
