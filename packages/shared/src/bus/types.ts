// The event bus every service uses: durable topics (at-least-once, consumer groups) and
// ephemeral broadcasts. Implementations: Redis (Streams + pub/sub) and Postgres (tables +
// LISTEN/NOTIFY) for installations without Redis. See docs/events.md.
export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  /** durable, at-least-once: kept until each consumer group has acknowledged it (within retention) */
  publish(topic: string, event: unknown): Promise<void>;
  /** several events of one topic, in order, in one round trip */
  publishMany(topic: string, events: unknown[]): Promise<void>;
  /**
   * Consumes a durable topic as a named group: every group sees every event (also those published
   * before it started); processes in the same group share the work. A handler that throws gets
   * that event (and the rest of its batch) again later; events before it count as handled.
   * Handlers must be idempotent (at-least-once) and must not rely on strict ordering.
   */
  consume(topic: string, group: string, handler: (event: unknown) => Promise<void>): Promise<Unsubscribe>;
  /** like `consume`, handing over up to a few hundred events at a time (all redelivered if it throws) */
  consumeBatch(topic: string, group: string, handler: (events: unknown[]) => Promise<void>): Promise<Unsubscribe>;
  /** ephemeral fan-out to every current listener in every process (at-most-once, no replay) */
  broadcast(channel: string, message: unknown): Promise<void>;
  listen(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /** stops this instance's consumers (after their current batch) and closes its connections */
  close(): Promise<void>;
}
