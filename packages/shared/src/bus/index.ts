// Picks the bus for this installation: Redis when REDIS_URL is set, else Postgres.
import type { Logger } from '../logger.ts';
import { createPgBus } from './pg-bus.ts';
import { createRedisBus } from './redis-bus.ts';
import type { EventBus } from './types.ts';

export type { EventBus, Unsubscribe } from './types.ts';

export async function createBus(opts: { redisUrl?: string; databaseUrl?: string; service: string; logger?: Logger; prefix?: string }): Promise<EventBus> {
  if (opts.redisUrl) return createRedisBus({ url: opts.redisUrl, service: opts.service, logger: opts.logger, prefix: opts.prefix });
  if (opts.databaseUrl) return createPgBus({ url: stripSchema(opts.databaseUrl), service: opts.service, logger: opts.logger });
  throw new Error('No event bus: set REDIS_URL or DATABASE_URL');
}

export function busFromEnv(env: NodeJS.ProcessEnv, service: string, logger?: Logger): Promise<EventBus> {
  return createBus({ redisUrl: env.REDIS_URL || undefined, databaseUrl: env.DATABASE_URL || undefined, service, logger, prefix: env.STRATA_BUS_PREFIX });
}

function stripSchema(url: string): string {
  const u = new URL(url);
  u.searchParams.delete('schema');
  return u.toString();
}
