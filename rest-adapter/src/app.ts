// The REST adapter's Express app: mounts the route table under /api, the OpenAPI document and
// documentation pages, and answers every failure as `{"errors": [...]}` (docs/rest.md).
// Handlers never touch a database: they call the supergraph with the caller's credentials.
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '@strata/shared';
import { mountDocs } from './docs.ts';
import { RestError, restErrorOf, sendError, INTERNAL_MESSAGE } from './errors.ts';
import { buildOpenApi } from './openapi.ts';
import { csrfGuard } from './routes/auth-csrf.ts';
import type { BoundSupergraph, RouteDef } from './routes/types.ts';
import { FORWARDED_HEADERS, type Forwarded, type SupergraphClient } from './supergraph-client.ts';

export interface AppOptions {
  routes: RouteDef[];
  supergraph: SupergraphClient;
  logger: Logger;
  service?: string;
  /** STRATA_CONTEXT_SECRET: checks the CSRF token of cookie sessions (routes/auth-csrf.ts) */
  secret?: string;
}

/** `/api/schema/{kind}` -> `/api/schema/:kind` */
export function expressPath(openapiPath: string): string {
  return openapiPath.replace(/\{(\w+)\}/g, ':$1');
}

function single(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new RestError(400, `Query parameter "${name}" may be given only once`);
  return v;
}

/** Credentials and `?branch=`/`?at=` of the REST request, as they go to the gateway. */
export function forwardedOf(req: Request, branchAware: boolean): Forwarded {
  const headers: Forwarded['headers'] = {};
  for (const h of FORWARDED_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const fwd: Forwarded = { headers };
  if (branchAware) {
    const branch = single(req, 'branch');
    const at = single(req, 'at');
    if (branch) fwd.branch = branch;
    if (at) fwd.at = at;
  }
  return fwd;
}

function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

function bodyParsers(route: RouteDef): RequestHandler[] {
  if (route.body?.kind === 'raw') return [express.raw({ type: () => true, limit: route.body.limit ?? '10mb' })];
  if (route.body?.kind === 'json' || ['post', 'put', 'patch'].includes(route.method)) return [express.json({ limit: '5mb' })];
  return [];
}

function mountRoute(app: Express, route: RouteDef, opts: AppOptions): void {
  const handler = async (req: Request, res: Response) => {
    try {
      const forwarded = forwardedOf(req, route.branchAware === true);
      const setCookies: string[] = [];
      const supergraph: BoundSupergraph = {
        async request<T>(op: Parameters<BoundSupergraph['request']>[0], variables?: Record<string, unknown>): Promise<T> {
          const r = await opts.supergraph.request<T>(op, variables, forwarded);
          setCookies.push(...r.setCookie);
          return r.data;
        },
      };
      const result = await route.handler({
        req,
        params: req.params as Record<string, string>,
        query: queryOf(req),
        body: req.body,
        forwarded,
        supergraph,
      });
      let body = result.body;
      if (route.response.schema && !result.contentType) {
        const checked = route.response.schema.safeParse(body);
        if (!checked.success) {
          opts.logger.error({ route: route.operationId, issues: checked.error.issues }, 'route answer does not match its schema');
          throw new Error(INTERNAL_MESSAGE);
        }
        body = checked.data;
      }
      if (result.headers) res.set(result.headers);
      setCookies.push(...(result.cookies ?? []));
      if (setCookies.length) res.append('set-cookie', setCookies);
      res.status(result.status ?? route.response.status ?? 200);
      if (result.contentType) res.type(result.contentType).send(body);
      else res.json(body);
    } catch (err) {
      sendError(res, restErrorOf(err, opts.logger));
    }
  };
  app[route.method](expressPath(route.path), ...bodyParsers(route), handler);
}

export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: opts.service ?? 'rest-adapter' });
  });

  let openapi: unknown;
  mountDocs(app, () => (openapi ??= buildOpenApi(opts.routes)));

  app.use('/api', csrfGuard(opts.secret));
  // `?branch=` and `?at=` mean one thing: given twice is a 400 on every route (docs/rest.md)
  app.use('/api', (req, res, next) => {
    for (const name of ['branch', 'at']) {
      if (Array.isArray((req.query as Record<string, unknown>)[name])) {
        sendError(res, { status: 400, messages: [`Query parameter "${name}" may be given only once`] });
        return;
      }
    }
    next();
  });
  for (const route of opts.routes) mountRoute(app, route, opts);

  // a known path with another method: 405 with Allow
  const methodsByPath = new Map<string, Set<string>>();
  for (const r of opts.routes) {
    const set = methodsByPath.get(r.path) ?? new Set<string>();
    set.add(r.method.toUpperCase());
    if (r.method === 'get') set.add('HEAD');
    methodsByPath.set(r.path, set);
  }
  for (const [p, methods] of methodsByPath) {
    app.all(expressPath(p), (req, res) => {
      res.set('allow', [...methods].join(', '));
      sendError(res, { status: 405, messages: [`Method ${req.method} is not allowed on ${p}`] });
    });
  }

  app.use('/api', (req, res) => {
    sendError(res, { status: 404, messages: [`Not found: ${req.method} ${req.originalUrl.split('?')[0]}`] });
  });
  app.use((_req, res) => {
    sendError(res, { status: 404, messages: ['Not found'] });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    // a path that is not valid percent-encoding (Express fails to decode a route parameter)
    if (err instanceof URIError || ((err as { status?: unknown } | null)?.status === 400 && /decode/i.test(String((err as { message?: unknown }).message)))) {
      sendError(res, { status: 400, messages: ['Malformed URL: invalid percent-encoding'] });
      return;
    }
    sendError(res, restErrorOf(err, opts.logger));
  });
  return app;
}
