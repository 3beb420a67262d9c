// Feeds the change log from the durable `strata.changes` topic (consumer group `history`).
import { CHANGES_TOPIC, ChangeEventSchema, type EventBus, type Logger } from '@strata/shared';
import type { ChangeStore } from './store/changes.ts';

export async function consumeChanges(bus: EventBus, store: ChangeStore, logger: Logger): Promise<() => Promise<void>> {
  return bus.consume(CHANGES_TOPIC, 'history', async (raw) => {
    const parsed = ChangeEventSchema.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'dropping malformed change event');
      return;
    }
    await store.record(parsed.data);
  });
}
