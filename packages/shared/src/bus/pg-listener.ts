// One LISTEN connection per Postgres bus instance, reconnected with back-off when it drops
// (server restart, terminated backend). Notifications sent while it was down are lost (NOTIFY
// keeps nothing); `onReconnect` lets the bus wake its consumers to catch up from the tables.
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { errorMessage } from './processor.ts';

export interface PgListener {
  close(): Promise<void>;
}

export async function startListener(opts: {
  url: string;
  applicationName: string;
  channels: string[];
  onNotification: (channel: string, payload: string) => void;
  onReconnect: () => void;
  logger?: Logger;
}): Promise<PgListener> {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let delay = 250;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: opts.url, application_name: opts.applicationName });
    c.on('error', (err) => opts.logger?.warn({ err: err.message }, 'bus listener connection error'));
    c.on('notification', (n) => opts.onNotification(n.channel, n.payload ?? ''));
    await c.connect();
    try {
      for (const ch of opts.channels) await c.query(`LISTEN ${ch}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    c.once('end', () => {
      if (client === c) client = null;
      if (!closed) schedule();
    });
    client = c;
    delay = 250;
  }

  function schedule(): void {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect().then(
        () => {
          opts.logger?.info('bus listener reconnected');
          opts.onReconnect();
        },
        (err) => {
          opts.logger?.warn({ err: errorMessage(err) }, 'bus listener reconnect failed; retrying');
          delay = Math.min(delay * 2, 5_000);
          schedule();
        },
      );
    }, delay);
    timer.unref();
  }

  await connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
