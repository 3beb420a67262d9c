// The gateway's request pipeline in front of Apollo: reads the body (any content type, so
// `curl -d` works), checks the raw input, parses and checks the operation, and resolves the
// request context ONCE: branch, instant, identity (docs/api.md#paths). Failures answer before any
// subgraph is called, with the contract's error codes and HTTP statuses.
// Order matters (docs/security.md): before the caller is authenticated, a request gets only
// bounded work: body size, JSON nesting, NUL checks, path and `at` syntax, a token-limited parse
// (cached by bytes) and its root field names (is it a public operation?). The structural limits
// and the cost estimate (limits.ts, query-cost.ts, linear in the document) come next, and all of
// it runs before Apollo parses and validates the document itself.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { errors, httpStatusFor, parseAt, StrataError, type Logger, type Principal, type RequestContext } from '@strata/shared';
import type { BranchResolver } from './branches.ts';
import { branchFromPath } from './branch-path.ts';
import type { GatewayConfig } from './config.ts';
import { credentialFrom, type IdentityResolver } from './identity.ts';
import { accessCookieOf, cookieSessionPrincipal } from './session-cookies.ts';
import { RATE_LIMITED_FIELDS, type LoginRateLimiter } from './login-rate-limit.ts';
import { enforceLimits, readLimits, selectOperation, type LimitSettings } from './limits.ts';
import { documentParser } from './parse-cache.ts';
import { enforceCost } from './query-cost.ts';
import { assertNoNul, assertNoNulLiterals, assertSingleParams, parseJson } from './request-input.ts';

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
  /** operation limits (default: from the environment) */
  limits?: LimitSettings;
  /** the gateway's current API schema (for the cost estimate) */
  schema?: () => GraphQLSchema | undefined;
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

export function graphqlPipeline(deps: PipelineDeps) {
  const { config } = deps;
  const limits = deps.limits ?? readLimits(process.env);
  const parser = documentParser({ maxTokens: limits.maxTokens });
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      assertSingleParams(req);
      let body: GraphQLBody;
      if (req.method === 'POST') {
        body = parseJson(await readBody(req), 'body') as GraphQLBody;
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badInput('The body must be a JSON object with a query');
        (req as Request & { body: unknown }).body = body;
        req.headers['content-type'] = 'application/json';
      } else if (req.method === 'GET') {
        const q = req.query as Record<string, string | undefined>;
        const variables = q.variables ? parseJson(q.variables, 'variables') : undefined;
        body = { query: q.query, variables, operationName: q.operationName };
        // Apollo's Express integration reads GET operations from the URL but insists on a body
        (req as Request & { body: unknown }).body ??= {};
      } else {
        res
          .status(405)
          .set('allow', 'GET, POST')
          .json({ errors: [{ message: 'Use GET or POST', extensions: { code: 'BAD_USER_INPUT' } }] });
        return;
      }
      if (typeof body.query !== 'string' || !body.query.trim()) throw errors.badInput('Missing query');
      if (body.variables != null && (typeof body.variables !== 'object' || Array.isArray(body.variables))) throw errors.badInput('variables must be an object');
      if (body.operationName != null && typeof body.operationName !== 'string') throw errors.badInput('operationName must be a string');
      if (body.query.includes('\u0000')) throw errors.badInput('The query must not contain NUL characters');
      assertNoNul(body.variables, 'Variables');
      // checked before credentials: a malformed path or instant is the same answer for everyone
      const branch = branchFromPath(req);
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      const atRaw = typeof req.query.at === 'string' ? req.query.at : typeof variables.at === 'string' ? variables.at : null;
      const at = atRaw ? parseAt(atRaw).toISOString() : null;

      const doc = parser.parse(body.query);
      const shape = selectOperation(doc, typeof body.operationName === 'string' ? body.operationName : null);
      if (!shape) throw errors.badInput('Unknown or ambiguous operation: give operationName');

      if (deps.loginLimiter && shape.rootFields.some((f) => RATE_LIMITED_FIELDS.has(f))) await deps.loginLimiter.check(req);

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

      // The document: structural limits, NUL in literals, estimated cost; all before Apollo's validation.
      enforceLimits(shape, limits);
      assertNoNulLiterals(doc);
      const schema = deps.schema?.();
      if (schema) enforceCost(shape, schema, variables, limits);

      // Branch.
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
