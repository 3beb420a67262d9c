// Reacts to broadcasts from other services when the event bus is available: recompose on schema
// changes, drop cached identities on revocations, drop cached branches on branch changes.
import { AUTH_REVOKED_CHANNEL, BRANCH_CHANGED_CHANNEL, busFromEnv, SCHEMA_UPDATED_CHANNEL, type Logger } from '@strata/shared';

export interface GatewayEventHandlers {
  schemaUpdated(): void;
  authRevoked(): void;
  branchChanged(name: string | null): void;
}

/** Null when no bus is configured (no REDIS_URL/DATABASE_URL): the supergraph is then polled and caches expire on their own. */
export async function listenToBus(env: NodeJS.ProcessEnv, handlers: GatewayEventHandlers, logger: Logger): Promise<{ close(): Promise<void> } | null> {
  if (!env.REDIS_URL && !env.DATABASE_URL) {
    logger.info('no event bus configured (REDIS_URL/DATABASE_URL): polling subgraph schemas instead');
    return null;
  }
  const bus = await busFromEnv(env, 'gateway', logger);
  await bus.listen(SCHEMA_UPDATED_CHANNEL, () => handlers.schemaUpdated());
  await bus.listen(AUTH_REVOKED_CHANNEL, () => handlers.authRevoked());
  await bus.listen(BRANCH_CHANGED_CHANNEL, (m) => handlers.branchChanged(typeof (m as { name?: unknown })?.name === 'string' ? (m as { name: string }).name : null));
  return bus;
}
