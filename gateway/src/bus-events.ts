// Reacts to broadcasts from other services when the event bus is available: recompose on schema
// changes, drop cached identities on revocations, drop cached branches on branch changes.
import { AUTH_REVOKED_CHANNEL, BRANCH_CHANGED_CHANNEL, busFromEnv, SCHEMA_UPDATED_CHANNEL, type Logger } from '@strata/shared';

export interface GatewayEventHandlers {
  schemaUpdated(): void;
  authRevoked(): void;
  branchChanged(name: string | null): void;
}

export async function listenToBus(env: NodeJS.ProcessEnv, handlers: GatewayEventHandlers, logger: Logger): Promise<{ close(): Promise<void> }> {
  const bus = await busFromEnv(env, 'gateway', logger);
  await bus.listen(SCHEMA_UPDATED_CHANNEL, () => handlers.schemaUpdated());
  await bus.listen(AUTH_REVOKED_CHANNEL, () => handlers.authRevoked());
  await bus.listen(BRANCH_CHANGED_CHANNEL, (m) => handlers.branchChanged(typeof (m as { name?: unknown })?.name === 'string' ? (m as { name: string }).name : null));
  return bus;
}
