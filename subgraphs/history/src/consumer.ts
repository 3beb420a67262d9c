// Feeds the change log from the durable `strata.changes` topic (consumer group `history`).
// Events are validated first: a malformed one is logged and dropped (it could never be stored,
// and redelivering it forever would block the topic); the rest are stored idempotently.
import { CHANGES_TOPIC, ChangeEventSchema, type ChangeEvent, type EventBus, type Logger } from '@strata/shared';
import { UUID } from './store/filters.ts';
import type { ChangeStore } from './store/changes.ts';

export const CONSUMER_GROUP = 'history';

const StorableChangeSchema = ChangeEventSchema.refine((e) => UUID.test(e.id), { message: 'id is not a uuid', path: ['id'] })
  .refine((e) => UUID.test(e.objectId), { message: 'objectId is not a uuid', path: ['objectId'] })
  .refine((e) => !Number.isNaN(Date.parse(e.time)), { message: 'time is not an ISO instant', path: ['time'] });

export function parseChanges(batch: unknown[], logger: Logger): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  for (const raw of batch) {
    const parsed = StorableChangeSchema.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
    else logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'dropping malformed change event');
  }
  return events;
}

export async function consumeChanges(bus: EventBus, store: ChangeStore, logger: Logger): Promise<() => Promise<void>> {
  return bus.consumeBatch(CHANGES_TOPIC, CONSUMER_GROUP, async (batch) => {
    await store.record(parseChanges(batch, logger));
  });
}
