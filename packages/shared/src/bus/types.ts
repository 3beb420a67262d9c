// The event bus every service uses: durable topics (at-least-once, consumer groups) and
// ephemeral broadcasts. Implementations: Redis (Streams + pub/sub) and Postgres (a queue table
// + LISTEN/NOTIFY) for installations without Redis.
export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  /** durable, at-least-once: kept until each consumer group has handled it */
  publish(topic: string, event: unknown): Promise<void>;
  /** several events of one topic, in order, in one round trip */
  publishMany(topic: string, events: unknown[]): Promise<void>;
  /**
   * Consumes a durable topic as a named group: every group sees every event; processes in the
   * same group share the work. A handler that throws gets the event again later.
   */
  consume(topic: string, group: string, handler: (event: unknown) => Promise<void>): Promise<Unsubscribe>;
  /** like `consume`, handing over up to a few hundred events at a time (all redelivered if it throws) */
  consumeBatch(topic: string, group: string, handler: (events: unknown[]) => Promise<void>): Promise<Unsubscribe>;
  /** ephemeral fan-out to every current listener (no delivery guarantee) */
  broadcast(channel: string, message: unknown): Promise<void>;
  listen(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}
