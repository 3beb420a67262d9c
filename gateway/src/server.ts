// Starts the gateway: one origin for `/graphql`, `/graphql/{branch}`, the GraphiQL playground,
// `/api/*` (REST adapter) and `/health`. The http.Server is ours so that WebSocket
// subscriptions can attach to it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { GraphQLSchema } from 'graphql';
import { baseUrlOf, createLogger, jwtKeysFromEnv, subgraphUrl, verifyContext, type RequestContext, SERVICE_HEADER } from '@strata/shared';
import { branchResolver } from './branches.ts';
import { listenToBus } from './bus-events.ts';
import { readGatewayConfig } from './config.ts';
import { csrfGuard } from './csrf-guard.ts';
import { formatGatewayError } from './error-format.ts';
import { graphqlPipeline } from './graphql-request.ts';
import { identityResolver } from './identity.ts';
import { jsonErrorHandler, jsonNotFound } from './json-errors.ts';
import { readLimits } from './limits.ts';
import { LoginRateLimiter } from './login-rate-limit.ts';
import { mountPlaygroundAssets, PLAYGROUND_HEADERS, playgroundHtml } from './playground.ts';
import { restProxy } from './rest-proxy.ts';
import { installScalarChecks } from './scalar-checks.ts';
import { corsMiddleware, securityHeaders } from './security.ts';
import { sessionCookiePlugin } from './session-cookies.ts';
import { SignedDataSource, type GatewayContext } from './signed-data-source.ts';
import { supergraphSource } from './supergraph-source.ts';

export const SERVICE = 'gateway';
export { SERVICE_HEADER };

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
  /** re-read subgraph SDLs now */
  refreshSupergraph(): Promise<void>;
}

export async function start(env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const config = readGatewayConfig(env);
  const logger = createLogger(SERVICE);
  const source = supergraphSource({ configFile: config.supergraphConfig, env, secret: config.secret, pollMs: config.pollMs, startupTimeoutMs: config.startupTimeoutMs, logger });
  const gateway = new ApolloGateway({
    supergraphSdl: source.loader,
    buildService: ({ name, url }) => new SignedDataSource(name, url!, config.secret),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // CSRF prevention happens before Apollo (csrf-guard.ts: cross-site simple requests; cookie
    // sessions also need their CSRF token), so non-browser clients may post with any content type
    csrfPrevention: false,
    stopOnTerminationSignals: false,
    formatError: formatGatewayError(logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), sessionCookiePlugin({ secret: config.secret, env })],
  });
  // the API schema as Apollo validates against it: custom scalars get the subgraphs' input
  // checks, and the request pipeline estimates query cost with it
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    installScalarChecks(schema);
    apiSchema = schema;
  });
  await apollo.start();

  const branches = branchResolver({ branchingBaseUrl: baseUrlOf(subgraphUrl('branching', env)), secret: config.secret });
  const identity = identityResolver({ authBaseUrl: baseUrlOf(subgraphUrl('auth', env)), secret: config.secret, jwtKeys: jwtKeysFromEnv(env).accepted });
  const bus = await listenToBus(
    env,
    {
      schemaUpdated: () => void source.refresh(),
      authRevoked: () => identity.forgetAll(),
      branchChanged: (name) => branches.forget(name ?? undefined),
    },
    logger,
  ).catch((err) => {
    logger.warn({ err }, 'event bus unavailable');
    return null;
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(env), corsMiddleware(env));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: SERVICE });
  });
  mountPlaygroundAssets(app);
  app.use(restProxy(config.restAdapterUrl, logger, { secret: config.secret, env }));

  const graphqlPaths = ['/graphql', '/graphql/*branch'];
  // STRATA_GRAPHQL_ENABLED=false closes GraphQL to clients; the REST adapter (a Strata service
  // proving it with a signed context) still reaches it.
  app.all(graphqlPaths, async (req, res, next) => {
    if (config.graphqlEnabled) return next();
    const token = req.header(SERVICE_HEADER);
    if (token) {
      try {
        await verifyContext(token, { secret: config.secret, audience: SERVICE });
        return next();
      } catch {
        /* fall through */
      }
    }
    res.status(404).json({ errors: ['The GraphQL API is not enabled.'] });
  });
  app.get(graphqlPaths, (req, res, next) => {
    if (req.query.query || !req.accepts(['json', 'html']) || req.accepts(['json', 'html']) !== 'html') return next();
    res
      .set(PLAYGROUND_HEADERS)
      .type('html')
      .send(playgroundHtml(req.originalUrl.split('?')[0]!, { at: typeof req.query.at === 'string' ? req.query.at : undefined }));
  });
  const apolloHandler = expressMiddleware(apollo, {
    context: async ({ req, res }) => ({ ctx: res.locals.strataContext as RequestContext, http: { req, res } }),
  });
  app.all(
    graphqlPaths,
    csrfGuard(),
    graphqlPipeline({ config, branches, identity, logger, loginLimiter: LoginRateLimiter.fromEnv(env, config.secret), limits: readLimits(env), schema: () => apiSchema }),
    (req, res, next) => {
      res.setHeader('x-content-type-options', 'nosniff');
      return apolloHandler(req, res, next);
    },
  );

  // anything else, and errors Express raises itself (malformed percent-encoding): JSON, never HTML
  app.use(jsonNotFound);
  app.use(jsonErrorHandler(logger));

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'gateway listening');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    refreshSupergraph: () => source.refresh(),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      await bus?.close();
    },
  };
}
