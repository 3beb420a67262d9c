// The outbox relay's publisher: the shared event bus (Redis when REDIS_URL is set, else Postgres).
import { busFromEnv, type Logger } from '@strata/shared';
import type { Publisher } from './outbox.ts';

export async function createPublisher(env: NodeJS.ProcessEnv, logger: Logger): Promise<Publisher> {
  return busFromEnv(env, 'inventory', logger);
}
