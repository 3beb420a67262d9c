// Redis implementation: durable topics are Streams read by consumer groups (XREADGROUP/XACK,
// XAUTOCLAIM re-delivers what a crashed or failing consumer left pending); broadcasts are pub/sub.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { EventBus, Unsubscribe } from './types.ts';

const MAXLEN = 1_000_000;
const RETRY_IDLE_MS = 5_000;

export async function createRedisBus(opts: { url: string; service: string; prefix?: string; logger?: Logger }): Promise<EventBus> {
  const prefix = opts.prefix ?? 'strata';
  const pub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await pub.connect();
  const closers = new Set<() => Promise<void>>();
  let sub: Redis | null = null;
  const listeners = new Map<string, Set<(m: unknown) => void>>();
  const streamKey = (topic: string) => `${prefix}:stream:${topic}`;
  const channelKey = (channel: string) => `${prefix}:bc:${channel}`;

  async function subscriber(): Promise<Redis> {
    if (sub) return sub;
    sub = new Redis(opts.url, { lazyConnect: true });
    await sub.connect();
    sub.on('message', (ch: string, raw: string) => {
      let msg: unknown;
      try {
        msg = JSON.parse(raw);
      } catch {
        return;
      }
      for (const h of listeners.get(ch) ?? []) h(msg);
    });
    closers.add(async () => {
      sub?.disconnect();
    });
    return sub;
  }

  const bus: EventBus = {
    async publish(topic, event) {
      await pub.xadd(streamKey(topic), 'MAXLEN', '~', String(MAXLEN), '*', 'e', JSON.stringify(event));
    },
    async publishMany(topic, events) {
      if (!events.length) return;
      const pipe = pub.pipeline();
      for (const e of events) pipe.xadd(streamKey(topic), 'MAXLEN', '~', String(MAXLEN), '*', 'e', JSON.stringify(e));
      const results = await pipe.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    },
    consume(topic, group, handler) {
      return bus.consumeBatch(topic, group, async (events) => {
        for (const e of events) await handler(e);
      });
    },
    async consumeBatch(topic, group, handler): Promise<Unsubscribe> {
      const key = streamKey(topic);
      try {
        await pub.xgroup('CREATE', key, group, '0', 'MKSTREAM');
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
      const conn = new Redis(opts.url, { lazyConnect: true });
      await conn.connect();
      const consumer = `${opts.service}-${randomUUID()}`;
      let running = true;
      const handle = async (entries: [string, string[]][]) => {
        const ids: string[] = [];
        const events: unknown[] = [];
        for (const [id, fields] of entries) {
          if (!fields) continue; // deleted (trimmed) entry
          const raw = fields[fields.indexOf('e') + 1];
          ids.push(id);
          try {
            events.push(raw ? JSON.parse(raw) : null);
          } catch {
            events.push(null); // unreadable: the handler sees null and skips it
          }
        }
        if (!ids.length) return;
        try {
          await handler(events);
          await conn.xack(key, group, ...ids);
        } catch (err) {
          opts.logger?.warn({ err: (err as Error).message, topic }, 'event handler failed; will retry');
        }
      };
      const loop = (async () => {
        let lastClaim = 0;
        while (running) {
          try {
            if (Date.now() - lastClaim > RETRY_IDLE_MS) {
              lastClaim = Date.now();
              const claimed = (await conn.xautoclaim(key, group, consumer, RETRY_IDLE_MS, '0-0', 'COUNT', 100)) as [string, [string, string[]][]];
              if (claimed?.[1]?.length) await handle(claimed[1]);
            }
            const res = (await conn.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', key, '>')) as [string, [string, string[]][]][] | null;
            if (res) for (const [, entries] of res) await handle(entries);
          } catch (err) {
            if (!running) break;
            opts.logger?.warn({ err: (err as Error).message, topic }, 'stream read failed');
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      })();
      const stop = async () => {
        running = false;
        conn.disconnect();
        await loop.catch(() => {});
        closers.delete(stop);
      };
      closers.add(stop);
      return stop;
    },
    async broadcast(channel, message) {
      await pub.publish(channelKey(channel), JSON.stringify(message));
    },
    async listen(channel, handler): Promise<Unsubscribe> {
      const ch = channelKey(channel);
      const s = await subscriber();
      let set = listeners.get(ch);
      if (!set) {
        set = new Set();
        listeners.set(ch, set);
        await s.subscribe(ch);
      }
      set.add(handler);
      return async () => {
        set!.delete(handler);
      };
    },
    async close() {
      for (const c of [...closers]) await c();
      pub.disconnect();
    },
  };
  return bus;
}
