// The REST adapter's only way to data (docs/rest.md: every handler goes through the supergraph):
// POSTs a GraphQL operation to the gateway's `/graphql[/{branch}][?at=]`, forwarding the
// caller's credentials (Authorization, X-API-Key, Cookie) so the gateway authenticates and
// authorises exactly as for a direct GraphQL call.
import { newRequestContext, signContext, systemPrincipal, SERVICE_HEADER } from '@strata/shared';
import { z } from 'zod';

/** One GraphQL error as the gateway sends it. */
export const GraphQLErrorSchema = z.object({
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])).optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
});
export type GraphQLErrorShape = z.infer<typeof GraphQLErrorSchema>;

/** `{data, errors?}` or `{errors}`: anything else is not a GraphQL answer. */
const GraphQLBodySchema = z
  .object({ data: z.unknown().optional(), errors: z.array(GraphQLErrorSchema).optional() })
  .refine((b) => b.data !== undefined || b.errors !== undefined, 'not a GraphQL response');

/**
 * Request headers passed through to the gateway (lower-case): credentials, the CSRF token of a
 * cookie session, the browser's scheme (Secure cookies) and address (sign-in rate limit). The
 * address is never the caller's own X-Forwarded-For: client-address.ts replaces it with the one
 * address the adapter established before any route runs, and the gateway believes it only with
 * the adapter's signed service header.
 */
export const FORWARDED_HEADERS = ['authorization', 'x-api-key', 'cookie', 'x-csrf-token', 'x-forwarded-proto', 'x-forwarded-for'] as const;

/** A GraphQL document shipped with the adapter (src/queries/*.graphql). */
export interface Operation {
  /** operation name inside the document */
  name: string;
  document: string;
}

/** What of the REST request reaches the gateway. */
export interface Forwarded {
  headers: Partial<Record<(typeof FORWARDED_HEADERS)[number], string>>;
  /** `?branch=`; absent means the default branch */
  branch?: string;
  /** `?at=` as given (the gateway parses it) */
  at?: string;
}

export interface SupergraphResult<T> {
  data: T;
  /** Set-Cookie headers of the gateway's answer (passed back to the caller) */
  setCookie: string[];
}

/** The gateway answered with GraphQL errors (or a non-GraphQL error status). */
export class SupergraphError extends Error {
  constructor(
    readonly errors: GraphQLErrorShape[],
    /** HTTP status of the gateway's answer */
    readonly status: number,
    /** the gateway's Retry-After (seconds), passed back on a 429 */
    readonly retryAfter?: string,
  ) {
    super(errors[0]?.message ?? `gateway answered ${status}`);
    this.name = 'SupergraphError';
  }
}

/** The gateway could not be reached, timed out, or did not answer GraphQL. */
export class SupergraphUnavailableError extends Error {
  constructor(
    message: string,
    readonly timeout: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SupergraphUnavailableError';
  }
}

export interface SupergraphClient {
  request<T>(op: Operation, variables: Record<string, unknown> | undefined, fwd: Forwarded): Promise<SupergraphResult<T>>;
}

/** `/graphql`, `/graphql/{branch}` (each path segment of the name encoded), plus `?at=`. */
export function graphqlUrl(gatewayUrl: string, fwd: Pick<Forwarded, 'branch' | 'at'>): URL {
  const branchPath = fwd.branch ? `/${fwd.branch.split('/').map(encodeURIComponent).join('/')}` : '';
  const url = new URL(`${gatewayUrl.replace(/\/+$/, '')}/graphql${branchPath}`);
  if (fwd.at !== undefined) url.searchParams.set('at', fwd.at);
  return url;
}

interface GraphQLBody {
  data?: unknown;
  errors?: GraphQLErrorShape[];
}

export { SERVICE_HEADER };

export function createSupergraphClient(opts: { gatewayUrl: string; timeoutMs?: number; secret?: string }): SupergraphClient {
  return {
    async request<T>(op: Operation, variables: Record<string, unknown> | undefined, fwd: Forwarded): Promise<SupergraphResult<T>> {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (opts.secret) {
        headers[SERVICE_HEADER] = await signContext(newRequestContext({ user: systemPrincipal('rest-adapter') }), { secret: opts.secret, audience: 'gateway', ttlSeconds: 30 });
      }
      for (const h of FORWARDED_HEADERS) {
        const v = fwd.headers[h];
        if (v !== undefined) headers[h] = v;
      }
      let res: Response;
      try {
        res = await fetch(graphqlUrl(opts.gatewayUrl, fwd), {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: op.document, operationName: op.name, variables: variables ?? {} }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        const timeout = (err as Error)?.name === 'TimeoutError';
        throw new SupergraphUnavailableError(timeout ? 'gateway timed out' : 'gateway unreachable', timeout, { cause: err });
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const parsed = GraphQLBodySchema.safeParse(json);
      if (!parsed.success) {
        throw new SupergraphUnavailableError(`gateway answered ${res.status} without a GraphQL body`, false);
      }
      const body = parsed.data;
      if (body.errors?.length) throw new SupergraphError(body.errors, res.status, res.headers.get('retry-after') ?? undefined);
      if (!res.ok || body.data === undefined || body.data === null) {
        throw new SupergraphError([], res.status);
      }
      return { data: body.data as T, setCookie: res.headers.getSetCookie() };
    },
  };
}
