// Per-client rate limit on the operations that test credentials (`login`, `refresh`,
// `sso_callback`): STRATA_LOGIN_RATE_LIMIT attempts per minute per client address (default 30,
// 0 = off), on top of the auth subgraph's per-username lockout. It stops password spraying across
// many usernames from one address. The client address is the socket's peer; for calls the REST
// adapter makes on a browser's behalf it is the address the gateway's own proxy recorded (last
// X-Forwarded-For entry); with STRATA_TRUST_PROXY=true (a reverse proxy in front of Strata) the
// first X-Forwarded-For entry.
import type { Request } from 'express';
import { errors, verifyContext } from '@strata/shared';
import { SERVICE_HEADER } from './session-cookies.ts';

export const RATE_LIMITED_FIELDS = new Set(['login', 'refresh', 'sso_callback']);
const WINDOW_MS = 60_000;

function forwardedFor(req: Request): string[] {
  const raw = req.headers['x-forwarded-for'];
  return (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
}

export class LoginRateLimiter {
  private readonly hits = new Map<string, { count: number; start: number }>();
  private nextSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly secret: string,
    private readonly trustProxy: boolean,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv, secret: string): LoginRateLimiter {
    const n = Number(env.STRATA_LOGIN_RATE_LIMIT ?? 30);
    return new LoginRateLimiter(Number.isFinite(n) && n >= 0 ? Math.floor(n) : 30, secret, ['true', '1', 'yes'].includes((env.STRATA_TRUST_PROXY ?? '').toLowerCase()));
  }

  async clientOf(req: Request): Promise<string> {
    const xff = forwardedFor(req);
    const token = req.header(SERVICE_HEADER);
    if (token && xff.length) {
      try {
        const ctx = await verifyContext(token, { secret: this.secret, audience: 'gateway' });
        if (ctx.user?.via === 'system') return this.trustProxy ? xff[0]! : xff[xff.length - 1]!;
      } catch {
        /* not the REST adapter: fall through */
      }
    }
    if (this.trustProxy && xff.length) return xff[0]!;
    return req.socket.remoteAddress ?? 'unknown';
  }

  /** Counts an attempt; throws (HTTP 429) when the client is over the limit. */
  async check(req: Request, now = Date.now()): Promise<void> {
    if (this.limit === 0) return;
    const client = await this.clientOf(req);
    if (now >= this.nextSweep) {
      for (const [k, v] of this.hits) if (now - v.start >= WINDOW_MS) this.hits.delete(k);
      this.nextSweep = now + WINDOW_MS;
    }
    const h = this.hits.get(client);
    if (!h || now - h.start >= WINDOW_MS) {
      this.hits.set(client, { count: 1, start: now });
      return;
    }
    h.count++;
    if (h.count > this.limit) {
      const wait = Math.ceil((h.start + WINDOW_MS - now) / 1000);
      throw Object.assign(errors.forbidden(`Too many sign-in attempts from your address: try again in ${wait} s`), { httpStatus: 429, retryAfter: wait });
    }
  }
}
