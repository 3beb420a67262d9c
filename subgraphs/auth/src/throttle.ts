// Sign-in throttling shared by every auth instance (docs/auth.md, "Sign-in throttling"):
// - per client address: STRATA_LOGIN_RATE_LIMIT attempts a minute at `login`, `refresh` and
//   `sso_callback` (default 30, 0 = off); the gateway reports each attempt before it runs
//   (`/internal/sign-in-attempt`, routes/internal.ts);
// - per username: five failed logins (within 15 minutes) lock the username for five minutes; a
//   successful login clears the count. Only failures count, so a burst of correct logins for
//   one account never locks it; concurrent guesses are bounded by the per-client limit.
// Counters live in Redis when REDIS_URL is set, else in Postgres (`auth.rate_limits`), through
// rate-limiter-flexible, so they hold across any number of gateways and auth instances. When the
// store fails, each instance keeps counting in memory (insurance limiter) instead of letting
// attempts through uncounted. Keys are sha256 digests: no addresses or usernames in the store.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createSchemaPool, type Logger, type Pool } from '@strata/shared';

export const CLIENT_WINDOW_S = 60;
export const LOCKOUT = {
  /** failed logins that lock a username */
  maxFailures: 5,
  /** failures older than this (counted from the first) are forgotten (s) */
  windowS: 15 * 60,
  /** how long a username stays locked (s) */
  lockS: 5 * 60,
} as const;

export interface SignInThrottle {
  /** counts an attempt from a client address: null when allowed, else seconds until the next one is */
  clientAttempt(client: string): Promise<number | null>;
  /** true while the username is locked (its password is then not even checked) */
  usernameLocked(username: string): Promise<boolean>;
  /** counts a failed login; the one that reaches LOCKOUT.maxFailures locks the username */
  usernameFailed(username: string): Promise<void>;
  /** a successful sign-in clears the username's count */
  usernameSucceeded(username: string): Promise<void>;
  close(): Promise<void>;
}

/** STRATA_LOGIN_RATE_LIMIT: attempts per client address a minute (default 30, 0 = off). */
export function clientLimitFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.STRATA_LOGIN_RATE_LIMIT?.trim();
  if (!raw) return 30;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`STRATA_LOGIN_RATE_LIMIT must be a whole number of attempts per minute, 0 = off (got ${JSON.stringify(env.STRATA_LOGIN_RATE_LIMIT)})`);
  return n;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url');

interface LimiterSpec {
  name: string;
  points: number;
  durationS: number;
}

type Store = { limiter(spec: LimiterSpec, insurance: RateLimiterMemory): RateLimiterAbstract; close(): Promise<void> };

async function redisStore(url: string, prefix: string, logger: Logger): Promise<Store> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'strata-auth-throttle' });
  redis.on('error', (err: Error) => logger.debug({ err: err.message }, 'throttle redis connection error'));
  await redis.connect();
  return {
    limiter: (spec, insurance) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:throttle:${spec.name}`,
        points: spec.points,
        duration: spec.durationS,
        insuranceLimiter: insurance,
        rejectIfRedisNotReady: true,
      }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function postgresStore(db: { url: string; schema: string }): Store {
  const pool: Pool = createSchemaPool({ url: db.url, schema: db.schema, max: 4, applicationName: 'strata-auth-throttle' });
  let first = true;
  return {
    limiter: (spec, insurance) => {
      // one limiter sweeps the shared table (rows expired over an hour ago, every 5 minutes)
      const clearExpiredByTimeout = first;
      first = false;
      return new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        schemaName: db.schema,
        tableName: 'rate_limits',
        tableCreated: true, // by the migration (prisma/migrations/*_sign_in_throttle)
        clearExpiredByTimeout,
        keyPrefix: spec.name,
        points: spec.points,
        duration: spec.durationS,
        insuranceLimiter: insurance,
      });
    },
    close: () => pool.end(),
  };
}

/** Store-backed limiter that falls back to counting in this process when the store fails. */
function insured(store: Store, spec: LimiterSpec): RateLimiterAbstract {
  return store.limiter(spec, new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.durationS }));
}

/** Consumes one point: the RateLimiterRes when refused, null when allowed. */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (res) {
    if (res instanceof RateLimiterRes) return res;
    throw res;
  }
}

export async function createSignInThrottle(opts: { env: NodeJS.ProcessEnv; db: { url: string; schema: string }; logger: Logger }): Promise<SignInThrottle> {
  const clientLimit = clientLimitFromEnv(opts.env);
  const store = opts.env.REDIS_URL ? await redisStore(opts.env.REDIS_URL, opts.env.STRATA_BUS_PREFIX || 'strata', opts.logger) : postgresStore(opts.db);
  const perClient = clientLimit > 0 ? insured(store, { name: 'signin-client', points: clientLimit, durationS: CLIENT_WINDOW_S }) : null;
  const perUser = insured(store, { name: 'signin-user', points: LOCKOUT.maxFailures, durationS: LOCKOUT.windowS });
  const userKey = (username: string) => digest(username.toLowerCase());
  return {
    async clientAttempt(client) {
      if (!perClient) return null;
      const refused = await consume(perClient, digest(client));
      return refused ? Math.max(1, Math.ceil(refused.msBeforeNext / 1000)) : null;
    },
    async usernameLocked(username) {
      const res = await perUser.get(userKey(username));
      return res !== null && res.consumedPoints >= LOCKOUT.maxFailures;
    },
    async usernameFailed(username) {
      const key = userKey(username);
      let consumed: number;
      try {
        consumed = (await perUser.consume(key)).consumedPoints;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        consumed = res.consumedPoints; // concurrent failures past the limit
      }
      if (consumed >= LOCKOUT.maxFailures) await perUser.block(key, LOCKOUT.lockS);
    },
    async usernameSucceeded(username) {
      await perUser.delete(userKey(username));
    },
    close: () => store.close(),
  };
}
