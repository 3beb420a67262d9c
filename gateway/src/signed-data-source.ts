// Subgraph fetches carry the request's context, signed for that subgraph (audience = name).
// A subgraph that does not answer (connection refused or reset, timeout, 502/503/504 from a proxy
// in front of it) becomes SERVICE_UNAVAILABLE errors naming it, on the paths of the fields it
// owns, so the other subgraphs' fields still answer (docs/api.md#errors). @apollo/gateway would otherwise
// surface the raw FetchError (with the subgraph's address) as INTERNAL_SERVER_ERROR. A subgraph's
// own 4xx refusal keeps its errors and codes; the fetch is aborted when the client goes away.
import { randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Request, Response } from 'express';
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';
import { CONTEXT_HEADER, createLogger, signContext, type Logger, type RequestContext } from '@strata/shared';

export interface GatewayContext {
  ctx: RequestContext;
  /** the HTTP exchange (session cookies are set on it) */
  http?: { req: Request; res: Response };
}

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export const UNAVAILABLE_CODE = 'SERVICE_UNAVAILABLE';

export function unavailableMessage(subgraph: string): string {
  return `The ${subgraph} service is unavailable`;
}

/** make-fetch-happen's FetchError types meaning "no answer" (system = ECONNREFUSED, ECONNRESET, ...). */
const NO_ANSWER_TYPES = new Set(['system', 'request-timeout', 'body-timeout']);
const PROXY_STATUSES = new Set([502, 503, 504]);

/** True when `err` (thrown by RemoteGraphQLDataSource) means the subgraph did not answer. */
export function isNoAnswer(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: unknown; type?: unknown; code?: unknown; extensions?: { response?: { status?: unknown } }; cause?: unknown };
  if (e.name === 'FetchError' && typeof e.type === 'string' && NO_ANSWER_TYPES.has(e.type)) return true;
  if (typeof e.extensions?.response?.status === 'number' && PROXY_STATUSES.has(e.extensions.response.status)) return true;
  return false;
}

/** Response names of the fields a root fetch asks for (through inline fragments and spreads). */
export function rootResponseNames(doc: DocumentNode): string[] {
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!op || op.kind !== Kind.OPERATION_DEFINITION) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names = new Set<string>();
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = (sel.alias ?? sel.name).value;
        if (!name.startsWith('__')) names.add(name);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        visit(sel.selectionSet, seen);
      } else if (!seen.has(sel.name.value)) {
        const f = fragments.get(sel.name.value);
        if (f) visit(f.selectionSet, new Set([...seen, sel.name.value]));
      }
    }
  };
  visit(op.selectionSet, new Set());
  return [...names];
}

/**
 * The answer standing in for a subgraph that did not answer: one error per root field it owns
 * (path = that field), or a single error without path for an entity fetch (`_entities`).
 */
export function unavailableResponse(subgraph: string, doc: DocumentNode | undefined, query: string | undefined): GatewayGraphQLResponse {
  let names: string[] = [];
  try {
    names = rootResponseNames(doc ?? parse(query ?? ''));
  } catch {
    /* no usable document: one error without a path */
  }
  const error = (path?: string[]): GraphQLFormattedError => ({
    message: unavailableMessage(subgraph),
    ...(path ? { path } : {}),
    extensions: { code: UNAVAILABLE_CODE, service: subgraph },
  });
  const errors = names.length && !names.includes('_entities') ? names.map((n) => error([n])) : [error()];
  return { errors };
}

let logger: Logger | undefined;
const lastWarned = new Map<string, number>();

function warnUnavailable(subgraph: string, url: string, err: unknown): void {
  const now = Date.now();
  if (now - (lastWarned.get(subgraph) ?? 0) < 5_000) return; // one line per subgraph per 5 s, not one per request
  lastWarned.set(subgraph, now);
  logger ??= createLogger('gateway');
  const e = err as { code?: string; message?: string };
  logger.warn({ subgraph, url, reason: e?.code ?? e?.message }, 'subgraph unavailable: answering SERVICE_UNAVAILABLE for its fields');
}

/** Internal header carrying the id of a request's abort signal from willSendRequest to the fetcher (never sent). */
const ABORT_HEADER = 'x-strata-abort-id';
const disconnects = new WeakMap<Response, AbortSignal>();
const pendingSignals = new Map<string, AbortSignal>();

/** Aborts when the client of this HTTP exchange goes away before its answer was sent. */
function disconnectSignal(res: Response): AbortSignal {
  let signal = disconnects.get(res);
  if (!signal) {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    signal = controller.signal;
    disconnects.set(res, signal);
  }
  return signal;
}

/** A subgraph's own refusal of the request (HTTP 4xx with GraphQL errors): passed on as it is. */
function refusalOf(err: unknown): GraphQLFormattedError[] | null {
  const response = (err as { extensions?: { response?: { status?: unknown; body?: unknown } } })?.extensions?.response;
  if (typeof response?.status !== 'number' || response.status < 400 || response.status >= 500 || response.status === 401 || response.status === 403) return null;
  const body = response.body as { errors?: unknown } | undefined;
  if (!body || !Array.isArray(body.errors) || !body.errors.length) return null;
  return body.errors
    .filter((e): e is { message?: unknown; extensions?: { code?: unknown } } => !!e && typeof e === 'object')
    .map((e) => ({
      message: typeof e.message === 'string' ? e.message : 'Bad request',
      extensions: { code: typeof e.extensions?.code === 'string' ? e.extensions.code : 'BAD_USER_INPUT' },
    }));
}

export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
    // the subgraph fetch is aborted when the gateway's client goes away, so the subgraph cancels
    // its database work too (its request ends before the answer)
    const base = this.fetcher;
    this.fetcher = (input, init) => {
      const headers = { ...(init?.headers as Record<string, string> | undefined) };
      const id = headers[ABORT_HEADER];
      delete headers[ABORT_HEADER];
      const signal = id ? pendingSignals.get(id) : undefined;
      if (id) pendingSignals.delete(id);
      return base(input, { ...init, headers, ...(signal ? { signal } : {}) } as typeof init);
    };
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): Promise<void> {
    if (!context?.ctx) throw new Error('no request context');
    const token = await signContext(context.ctx, { secret: this.secret, audience: this.subgraph });
    request.http?.headers.set(CONTEXT_HEADER, token);
    if (context.http?.res && request.http) {
      const id = randomUUID();
      pendingSignals.set(id, disconnectSignal(context.http.res));
      context.http.res.once('close', () => pendingSignals.delete(id));
      request.http.headers.set(ABORT_HEADER, id);
    }
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const query = options.request.query;
    try {
      return await super.process(options);
    } catch (err) {
      const refused = refusalOf(err);
      if (refused) return { errors: refused };
      if (!isNoAnswer(err)) throw err;
      warnUnavailable(this.subgraph, this.url, err);
      return unavailableResponse(this.subgraph, 'document' in options ? options.document : undefined, query);
    }
  }
}
