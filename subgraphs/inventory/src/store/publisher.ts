// The outbox relay's publisher: the shared event bus (Redis when REDIS_URL is set, else Postgres).
import type { Logger } from '@strata/shared';
import type { Publisher } from './outbox.ts';

export async function createPublisher(env: NodeJS.ProcessEnv, logger: Logger): Promise<Publisher & { close?(): Promise<void> }> {
  const shared = (await import('@strata/shared')) as Record<string, unknown>;
  const busFromEnv = shared.busFromEnv as undefined | ((env: NodeJS.ProcessEnv, service: string) => Promise<Publisher & { close(): Promise<void> }>);
  if (!busFromEnv) {
    logger.warn('event bus not available: change events stay in the outbox');
    return { publish: async () => Promise.reject(new Error('no bus')) };
  }
  return busFromEnv(env, 'inventory');
}
