// The gateway's request pipeline in front of Apollo: reads the body (any content type, so
// `curl -d` works), parses and checks the operation (limits, `at` rules), and resolves the
// request context ONCE: branch, instant, identity (CONTRACT §3). Failures answer before any
// subgraph is called, with the contract's error codes and HTTP statuses.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { errors, httpStatusFor, parseAt, StrataError, type Logger, type Principal, type RequestContext } from '@strata/shared';
import type { BranchResolver } from './branches.ts';
import type { GatewayConfig } from './config.ts';
import { credentialFrom, type IdentityResolver } from './identity.ts';
import { accessCookieOf, cookieSessionPrincipal } from './session-cookies.ts';
import { RATE_LIMITED_FIELDS, type LoginRateLimiter } from './login-rate-limit.ts';
import { operationShape } from './limits.ts';

/** Root fields anyone may call without credentials. */
export const PUBLIC_ROOT_FIELDS = new Set(['info', '__typename', '__schema', '__type', 'login', 'refresh', 'logout', 'sso_providers', 'sso_authorize', 'sso_callback']);
const MAX_BODY = 2 * 1024 * 1024;

export interface PipelineDeps {
  config: GatewayConfig;
  branches: BranchResolver;
  identity: IdentityResolver;
  logger: Logger;
  /** per-client limit on login/refresh/sso_callback */
  loginLimiter?: LoginRateLimiter;
}

interface GraphQLBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

function fail(res: Response, err: StrataError | GraphQLError, status?: number): void {
  const code = String(err.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  const { stacktrace: _s, ...ext } = err.extensions ?? {};
  res.status(status ?? httpStatusFor(code)).json({ errors: [{ message: err.message, extensions: { ...ext, code } }] });
}

async function readBody(req: Request): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw errors.badInput('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const docCache = new Map<string, DocumentNode>();
function parseCached(query: string): DocumentNode {
  const hit = docCache.get(query);
  if (hit) return hit;
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (err) {
    throw errors.badInput((err as Error).message);
  }
  if (docCache.size > 1000) docCache.delete(docCache.keys().next().value!);
  docCache.set(query, doc);
  return doc;
}

export function branchFromPath(req: Request): string {
  const raw = (req.params as { branch?: string | string[] }).branch;
  const name = Array.isArray(raw) ? raw.join('/') : raw;
  return name ? decodeURIComponent(name) : 'main';
}

export function graphqlPipeline(deps: PipelineDeps) {
  const { config } = deps;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      let body: GraphQLBody;
      if (req.method === 'POST') {
        const text = await readBody(req);
        try {
          body = JSON.parse(text) as GraphQLBody;
        } catch {
          res.status(400).json({ errors: [{ message: 'Malformed JSON body', extensions: { code: 'BAD_USER_INPUT' } }] });
          return;
        }
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badInput('The body must be a JSON object with a query');
        (req as Request & { body: unknown }).body = body;
        req.headers['content-type'] = 'application/json';
      } else if (req.method === 'GET') {
        const q = req.query as Record<string, string | undefined>;
        let variables: unknown;
        try {
          variables = q.variables ? JSON.parse(q.variables) : undefined;
        } catch {
          throw errors.badInput('variables must be JSON');
        }
        body = { query: q.query, variables, operationName: q.operationName };
        // Apollo's Express integration reads GET operations from the URL but insists on a body
        (req as Request & { body: unknown }).body ??= {};
      } else {
        res.status(405).set('allow', 'GET, POST').json({ errors: [{ message: 'Use GET or POST', extensions: { code: 'BAD_USER_INPUT' } }] });
        return;
      }
      if (typeof body.query !== 'string' || !body.query.trim()) throw errors.badInput('Missing query');
      if (body.variables != null && (typeof body.variables !== 'object' || Array.isArray(body.variables))) throw errors.badInput('variables must be an object');
      const doc = parseCached(body.query);
      const shape = operationShape(doc, typeof body.operationName === 'string' ? body.operationName : null);
      if (!shape) throw errors.badInput('Unknown or ambiguous operation: give operationName');
      if (shape.aliases > config.maxAliases) throw errors.badInput(`Too many aliases: ${shape.aliases} (max ${config.maxAliases})`);
      if (shape.depth > config.maxDepth) throw errors.badInput(`Query too deep: ${shape.depth} levels (max ${config.maxDepth})`);

      if (deps.loginLimiter && shape.rootFields.some((f) => RATE_LIMITED_FIELDS.has(f))) await deps.loginLimiter.check(req);

      // Time travel, resolved once for every subgraph.
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      const atRaw = typeof req.query.at === 'string' ? req.query.at : typeof variables.at === 'string' ? variables.at : null;
      const at = atRaw ? parseAt(atRaw).toISOString() : null;
      const isMutation = shape.operation.operation === 'mutation';
      if (at && isMutation) throw errors.badInput('Writes with at are refused');
      if (shape.operation.operation === 'subscription') throw errors.badInput('Subscriptions use the WebSocket endpoint');

      // Identity.
      const cred = credentialFrom(req.headers);
      let user: Principal | null = null;
      if (cred === 'malformed') throw errors.unauthenticated('Malformed Authorization header: use "Token <token>" or "Bearer <token>"');
      if (cred) {
        user = await deps.identity.resolve(cred);
        if (!user) throw errors.unauthenticated('Invalid, expired or revoked credentials');
      } else {
        const publicOnly = shape.rootFields.every((f) => PUBLIC_ROOT_FIELDS.has(f));
        // browser session (cookie); for public operations (login, ...) a stale or unchecked one is ignored
        const session = accessCookieOf(req.headers);
        if (session && publicOnly) user = await cookieSessionPrincipal(req, session, { identity: deps.identity, secret: config.secret }).catch(() => null);
        else if (session) user = await cookieSessionPrincipal(req, session, { identity: deps.identity, secret: config.secret });
        else if (!publicOnly && !(config.allowAnonymousRead && !isMutation)) throw errors.unauthenticated('Authentication required');
      }

      // Branch.
      const branch = branchFromPath(req);
      let branchMeta: RequestContext['branchMeta'] = null;
      if (branch !== 'main') {
        const resolved = await deps.branches.resolve(branch);
        branchMeta = resolved.meta;
        if (isMutation && !['OPEN', 'NEED_REBASE'].includes(resolved.info.status)) {
          throw errors.badInput(`Branch ${branch} is ${resolved.info.status.toLowerCase()}: it takes no more changes`);
        }
      }
      const requestId = typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 128 ? req.headers['x-request-id'] : randomUUID();
      res.locals.strataContext = { branch, branchMeta, at, user, requestId } satisfies RequestContext;
      res.setHeader('x-request-id', requestId);
      next();
    } catch (err) {
      if (err instanceof StrataError || err instanceof GraphQLError) {
        const limited = err as { httpStatus?: number; retryAfter?: number };
        if (limited.retryAfter) res.setHeader('retry-after', String(limited.retryAfter));
        fail(res, err, limited.httpStatus);
        return;
      }
      deps.logger.error({ err }, 'gateway request failed');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    }
  };
}
