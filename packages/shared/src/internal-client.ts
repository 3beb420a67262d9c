// Service-to-service calls inside Strata (gateway -> auth token checks, branching -> participants,
// ...). Every call carries a signed context for the target service, like gateway requests do.
// A target that does not answer is a ServiceUnavailableError (SERVICE_UNAVAILABLE); an answer
// with an error status is an InternalCallError carrying the status and body.
import { newRequestContext, signContext, systemPrincipal, CONTEXT_HEADER, type RequestContext } from './context.ts';
import { StrataError } from './errors.ts';

export interface InternalCallOptions {
  secret: string;
  /** calling service, recorded as the system principal */
  from: string;
  /** target service name (the context's audience) */
  to: string;
  /** base URL of the target, e.g. http://127.0.0.1:4004 */
  baseUrl: string;
  ctx?: Partial<RequestContext>;
  timeoutMs?: number;
}

export class InternalCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/**
 * The target service did not answer (connection refused or reset, timeout): SERVICE_UNAVAILABLE
 * naming it, without its address (docs/api.md#errors). The network error is the `cause`.
 */
export class ServiceUnavailableError extends StrataError {
  constructor(
    readonly service: string,
    cause: unknown,
  ) {
    super('SERVICE_UNAVAILABLE', `The ${service} service is unavailable`, { service });
    (this as { cause?: unknown }).cause = cause;
  }
}

/** POSTs JSON to `path` on another Strata service and returns the parsed JSON answer. */
export async function internalPost<T>(path: string, body: unknown, opts: InternalCallOptions): Promise<T> {
  const ctx = newRequestContext({ user: systemPrincipal(opts.from), ...opts.ctx });
  const token = await signContext(ctx, { secret: opts.secret, audience: opts.to });
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL(path, opts.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
      body: JSON.stringify(body ?? {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    text = await res.text();
  } catch (err) {
    // fetch rejects only when there is no (complete) answer: refused, reset, DNS, timeout
    throw new ServiceUnavailableError(opts.to, err);
  }
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) throw new InternalCallError(`${opts.to}${path} answered ${res.status}`, res.status, parsed);
  return parsed as T;
}

/** Base URL (scheme://host:port) of a subgraph's GraphQL URL. */
export function baseUrlOf(graphqlUrl: string): string {
  const u = new URL(graphqlUrl);
  return `${u.protocol}//${u.host}`;
}
