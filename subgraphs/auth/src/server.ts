// Starts the auth subgraph: migrations, first-start admin bootstrap, sign-in throttling (Redis or
// Postgres), GraphQL on /graphql and the internal endpoints for the gateway.
import { AUTH_REVOKED_CHANNEL, busFromEnv, createLogger, databaseFor, listenHost, listenPort, requireContextSecret, startSubgraphServer, type EventBus } from '@strata/shared';
import { bootstrapAdmin } from './bootstrap.ts';
import { readAuthConfig } from './config.ts';
import { createPrisma, migrate } from './db.ts';
import { jwtVerifier } from './jwt.ts';
import { SessionService } from './sessions.ts';
import { SsoService } from './sso/service.ts';
import { createSignInThrottle, type SignInThrottle } from './throttle.ts';
import { createResolvers } from './resolvers/index.ts';
import { internalRoutes } from './routes/internal.ts';
import { typeDefs } from './schema/index.ts';
import { createStore } from './store/index.ts';

export const SERVICE = 'auth';

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const secret = requireContextSecret(env);
  const config = readAuthConfig(env);
  const db = databaseFor(SERVICE, env);
  const logger = createLogger(SERVICE);

  await migrate(db, logger);
  const prisma = createPrisma(db);
  let bus: EventBus | null = null;
  let throttle: SignInThrottle | null = null;
  try {
    const store = createStore(prisma);
    bus = await busFromEnv(env, SERVICE, logger);
    const revoked = async () => {
      await bus!.broadcast(AUTH_REVOKED_CHANNEL, {}).catch((err) => logger.warn({ err }, 'could not broadcast a revocation'));
    };
    throttle = await createSignInThrottle({ env, db, logger });
    const sessions = new SessionService(prisma, store.users, env, throttle, revoked);
    const sso = new SsoService(prisma, sessions, env, secret, logger);
    await bootstrapAdmin({ prisma, config, logger });
    const running = await startSubgraphServer({
      name: SERVICE,
      port: listenPort(SERVICE, env),
      host: listenHost(env),
      secret,
      logger,
      schema: { typeDefs, resolvers: createResolvers({ store, maxPageSize: config.maxPageSize, sessions, sso, onRevoked: revoked }) },
      routes: internalRoutes({
        secret,
        audience: SERVICE,
        logger,
        throttle,
        deps: {
          apiTokens: store.apiTokens,
          jwt: jwtVerifier(env, { user: (id) => store.users.findById(id), sessionAlive: (sid, userId) => sessions.isSessionAlive(sid, userId) }),
          logger,
        },
      }),
      onClose: async () => {
        await bus?.close();
        await throttle?.close();
        await prisma.$disconnect();
      },
    });
    return { url: running.url, port: running.port, close: () => running.close() };
  } catch (err) {
    await bus?.close();
    await throttle?.close();
    await prisma.$disconnect();
    throw err;
  }
}
