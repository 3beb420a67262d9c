// Boots one subgraph process: Express 5 + Apollo Server 5 on `/graphql`, `/health` for readiness,
// and the signed-context gate (docs/api.md#paths). The schema can be swapped at run time (inventory
// regenerates its SDL when kinds change) without dropping the listener.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode, GraphQLFormattedError } from 'graphql';
import { CONTEXT_HEADER, ReplayGuard, verifyContext, type RequestContext } from './context.ts';
import { isErrorCode } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';

export type { GraphQLResolverMap };

/** What every resolver receives. */
export interface SubgraphContext {
  ctx: RequestContext;
  logger: Logger;
  /** aborted when the caller goes away before the answer is sent (cancel database work) */
  signal?: AbortSignal;
}

/** An AbortSignal that fires when the HTTP exchange ends before the answer was sent. */
function disconnectSignal(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export interface SchemaModule {
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext>;
}

export interface SubgraphServerOptions {
  name: string;
  port: number;
  host?: string;
  secret: string;
  schema: SchemaModule;
  logger?: Logger;
  /** extra routes (internal endpoints), mounted before /graphql; they must check the context themselves */
  routes?: (app: Express, helpers: { requireContext: typeof requireContextMiddleware }) => void;
  /** extra Apollo Server plugins (e.g. response extensions) */
  plugins?: ApolloServerPlugin<SubgraphContext>[];
  /** called on shutdown after the HTTP server closed */
  onClose?: () => Promise<void>;
}

export interface RunningSubgraph {
  url: string;
  port: number;
  logger: Logger;
  /** replaces the served schema (new requests see it once this resolves) */
  setSchema(schema: SchemaModule): Promise<void>;
  close(): Promise<void>;
}

/** The verified context of the current request (set by the context gate). */
export function contextOf(res: Response): RequestContext {
  const ctx = res.locals.strataContext as RequestContext | undefined;
  if (!ctx) throw new Error('request passed no context gate');
  return ctx;
}

export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
      return { ...formatted, extensions: ext };
    }
    // graphql-js validation/parse errors keep Apollo's codes; everything else is hidden.
    if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_USER_INPUT') {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: code === 'BAD_USER_INPUT' ? code : code } };
    }
    logger.error({ err: error }, 'unexpected error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** One per process: a context accepted by any route of this process is never accepted again. */
const processReplayGuard = new ReplayGuard();

export function requireContextMiddleware(secret: string, audience: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.strataContext = await verifyContext(req.header(CONTEXT_HEADER), { secret, audience, replay: processReplayGuard });
      next();
    } catch (err) {
      const message = err instanceof Error ? err.message : 'Unauthenticated';
      res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
  };
}

/** Every answer is JSON (docs/api.md#errors), also for unknown paths and errors Express raises itself. */
function jsonNotFound(req: Request, res: Response) {
  res.status(404).json({ errors: [{ message: `Not found: ${req.method} ${req.path}` }] });
}

function jsonErrorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction) {
  const e = err as { type?: string; status?: number };
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof URIError || (e.status === 400 && /decode/i.test(String((err as { message?: unknown }).message)))) {
    res.status(400).json({ errors: [{ message: 'Malformed URL: invalid percent-encoding', extensions: { code: 'BAD_USER_INPUT' } }] });
    return;
  }
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_USER_INPUT' } }] });
    return;
  }
  if (e.type === 'entity.too.large') {
    res.status(413).json({ errors: [{ message: 'Request body too large', extensions: { code: 'BAD_USER_INPUT' } }] });
    return;
  }
  res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
}

async function startApollo(schema: SchemaModule, logger: Logger, plugins: ApolloServerPlugin<SubgraphContext>[] = []): Promise<ApolloServer<SubgraphContext>> {
  const server = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema([{ typeDefs: schema.typeDefs, resolvers: schema.resolvers }]),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    formatError: formatError(logger),
    // Only the gateway talks to us; CSRF prevention is done at the gateway.
    csrfPrevention: false,
    // the process owns its signals (exitOnSignals); Apollo must not stop itself underneath
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginInlineTraceDisabled(), ...plugins],
  });
  await server.start();
  return server;
}

export async function startSubgraphServer(opts: SubgraphServerOptions): Promise<RunningSubgraph> {
  const logger = opts.logger ?? createLogger(opts.name);
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: opts.name });
  });
  const requireContext = requireContextMiddleware(opts.secret, opts.name);
  opts.routes?.(app, { requireContext: requireContextMiddleware });

  let apollo = await startApollo(opts.schema, logger, opts.plugins);
  let handler = makeHandler(apollo);
  function makeHandler(server: ApolloServer<SubgraphContext>) {
    return expressMiddleware(server, {
      context: async ({ res }) => ({ ctx: contextOf(res), logger, signal: disconnectSignal(res) }),
    });
  }
  // the signed context first: a caller without one costs a header check, not a body parse
  app.use('/graphql', requireContext, express.json({ limit: '5mb' }), (req, res, next) => handler(req, res, next));
  app.use(jsonNotFound);
  app.use(jsonErrorHandler);

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const reachable = !opts.host || opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  const url = `http://${reachable}:${port}/graphql`;
  logger.info({ url }, 'subgraph listening');

  return {
    url,
    port,
    logger,
    async setSchema(schema) {
      const next = await startApollo(schema, logger, opts.plugins);
      const old = apollo;
      apollo = next;
      handler = makeHandler(next);
      await old.stop();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
      await opts.onClose?.();
    },
  };
}

/** Installs SIGINT/SIGTERM handlers that close the service and exit. */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    close()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}
