// Feeds the change log from the durable `strata.changes` topic (consumer group `history`).
import { CHANGES_TOPIC, ChangeEventSchema, type ChangeEvent, type EventBus, type Logger } from '@strata/shared';
import type { ChangeStore } from './store/changes.ts';

export async function consumeChanges(bus: EventBus, store: ChangeStore, logger: Logger): Promise<() => Promise<void>> {
  return bus.consumeBatch(CHANGES_TOPIC, 'history', async (batch) => {
    const events: ChangeEvent[] = [];
    for (const raw of batch) {
      const parsed = ChangeEventSchema.safeParse(raw);
      if (parsed.success) events.push(parsed.data);
      else logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'dropping malformed change event');
    }
    await store.record(events);
  });
}
