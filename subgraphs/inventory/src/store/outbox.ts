// Relays the transactional outbox to the event bus: rows written with the data are published
// in order and marked, so a crash between commit and publish loses nothing (at-least-once).
import type pg from 'pg';
import type { Logger } from '@strata/shared';

export interface Publisher {
  publish(topic: string, event: unknown): Promise<void>;
  publishMany?(topic: string, events: unknown[]): Promise<void>;
  broadcast?(channel: string, message: unknown): Promise<void>;
  close?(): Promise<void>;
}

const BATCH = 500;

export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    private readonly sweepMs = 2_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.sweepMs);
    this.timer.unref();
    this.kick();
  }

  /** Publishes pending rows soon; coalesces concurrent kicks. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.logger.warn({ err }, 'outbox relay failed; will retry'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits until everything committed so far has been published (tests, shutdown). */
  async flush(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const client = await this.pool.connect();
      let n = 0;
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string; topic: string; payload: unknown }>(
          `SELECT id, topic, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        );
        await this.publishInOrder(rows);
        if (rows.length) {
          await client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
        }
        await client.query('COMMIT');
        n = rows.length;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
      if (n < BATCH || this.stopped) return;
    }
  }

  /** Publishes rows in order, grouping consecutive rows of one topic into one round trip. */
  private async publishInOrder(rows: { topic: string; payload: unknown }[]): Promise<void> {
    let i = 0;
    while (i < rows.length) {
      let j = i;
      while (j < rows.length && rows[j]!.topic === rows[i]!.topic) j++;
      const topic = rows[i]!.topic;
      const payloads = rows.slice(i, j).map((r) => r.payload);
      if (this.publisher.publishMany) await this.publisher.publishMany(topic, payloads);
      else for (const p of payloads) await this.publisher.publish(topic, p);
      i = j;
    }
  }
}
