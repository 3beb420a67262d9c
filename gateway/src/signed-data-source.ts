// Subgraph fetches carry the request's context, signed for that subgraph (audience = name).
// A subgraph that does not answer (connection refused or reset, timeout, 502/503/504 from a proxy
// in front of it) becomes SERVICE_UNAVAILABLE errors naming it, on the paths of the fields it
// owns, so the other subgraphs' fields still answer (CONTRACT §9). @apollo/gateway would otherwise
// surface the raw FetchError (with the subgraph's address) as INTERNAL_SERVER_ERROR.
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

export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): Promise<void> {
    if (!context?.ctx) throw new Error('no request context');
    const token = await signContext(context.ctx, { secret: this.secret, audience: this.subgraph });
    request.http?.headers.set(CONTEXT_HEADER, token);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const query = options.request.query;
    try {
      return await super.process(options);
    } catch (err) {
      if (!isNoAnswer(err)) throw err;
      warnUnavailable(this.subgraph, this.url, err);
      return unavailableResponse(this.subgraph, 'document' in options ? options.document : undefined, query);
    }
  }
}
