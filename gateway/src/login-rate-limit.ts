// Per-client limit on the operations that test credentials (`login`, `refresh`, `sso_callback`):
// STRATA_LOGIN_RATE_LIMIT attempts per minute per client address (default 30, 0 = off; read by
// the auth subgraph), on top of the auth subgraph's per-username lockout. It stops password
// spraying across many usernames from one address. The counts live with the auth subgraph, in
// Redis (REDIS_URL) or else Postgres (subgraphs/auth/src/throttle.ts), so they hold across any
// number of gateways and auth instances: before such an operation runs, the gateway reports the
// attempt to `/internal/sign-in-attempt` and answers HTTP 429 with Retry-After when refused.
// The client address (packages/shared/src/client-address.ts): the socket peer, or with
// STRATA_TRUST_PROXY=true (a reverse proxy in front of Strata) the first X-Forwarded-For entry;
// for calls the REST adapter makes on a caller's behalf (proven by its signed service header) the
// single X-Forwarded-For entry the adapter sends: the address it established itself.
import type { Request } from 'express';
import {
  baseUrlOf,
  errors,
  forwardedForList,
  StrataError,
  InternalCallError,
  internalPost,
  normalizeAddress,
  peerAddress,
  subgraphUrl,
  trustProxyFromEnv,
  verifyContext,
} from '@strata/shared';
import { SERVICE_HEADER } from './session-cookies.ts';

export const RATE_LIMITED_FIELDS = new Set(['login', 'refresh', 'sso_callback']);
/** The auth subgraph's endpoint that counts one sign-in attempt of a client address. */
export const SIGN_IN_ATTEMPT_PATH = '/internal/sign-in-attempt';

function retryAfterOf(body: unknown): number {
  const n = Number((body as { retry_after?: unknown } | null)?.retry_after);
  return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 60;
}

export class LoginRateLimiter {
  constructor(
    private readonly authBaseUrl: string,
    private readonly secret: string,
    readonly trustProxy: boolean,
  ) {}

  /** Throws when STRATA_TRUST_PROXY is neither on nor off (a start error). */
  static fromEnv(env: NodeJS.ProcessEnv, secret: string): LoginRateLimiter {
    return new LoginRateLimiter(baseUrlOf(subgraphUrl('auth', env)), secret, trustProxyFromEnv(env));
  }

  async clientOf(req: Request): Promise<string> {
    const token = req.header(SERVICE_HEADER);
    if (token) {
      const xff = forwardedForList(req.headers['x-forwarded-for']);
      try {
        const ctx = await verifyContext(token, { secret: this.secret, audience: 'gateway' });
        if (ctx.user?.via === 'system' && xff.length) return normalizeAddress(xff[xff.length - 1]!);
      } catch {
        /* not the REST adapter: fall through */
      }
    }
    return peerAddress(req, this.trustProxy);
  }

  /** Counts an attempt; throws (HTTP 429) when the client is over the limit. */
  async check(req: Request): Promise<void> {
    const client = await this.clientOf(req);
    try {
      await internalPost(SIGN_IN_ATTEMPT_PATH, { client }, { secret: this.secret, from: 'gateway', to: 'auth', baseUrl: this.authBaseUrl, timeoutMs: 5_000 });
    } catch (err) {
      if (err instanceof InternalCallError && err.status === 429) {
        const wait = retryAfterOf(err.body);
        throw Object.assign(errors.forbidden(`Too many sign-in attempts from your address: try again in ${wait} s`), { httpStatus: 429, retryAfter: wait });
      }
      // fail closed: an attempt that cannot be counted is not made
      if (err instanceof StrataError) throw err; // e.g. SERVICE_UNAVAILABLE naming auth
      throw errors.unavailable('Sign-in is not available right now: try again later', { service: 'auth' });
    }
  }
}
