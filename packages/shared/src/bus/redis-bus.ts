// Redis implementation: durable topics are Streams (`<prefix>:stream:<topic>`, XADD with
// MAXLEN ~) read by consumer groups (XREADGROUP/XACK); entries a consumer failed on or left
// behind when it died stay pending and are claimed again after RETRY_IDLE_MS (XAUTOCLAIM).
// Broadcasts are Redis pub/sub (`<prefix>:bc:<channel>`).
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';
import { eachEvent, errorMessage, sleep, wholeBatch, type Processor } from './processor.ts';
import type { EventBus, Unsubscribe } from './types.ts';

/** Approximate cap per stream (oldest entries are trimmed beyond it, acknowledged or not). */
const MAXLEN = 1_000_000;
/** A pending entry idle this long is handed out again (failed handler or dead consumer). */
const RETRY_IDLE_MS = 5_000;
const READ_COUNT = 100;
const BLOCK_MS = 1_000;

type StreamEntry = [id: string, fields: string[] | null];

export async function createRedisBus(opts: { url: string; service: string; prefix?: string; logger?: Logger }): Promise<EventBus> {
  const { logger } = opts;
  const prefix = opts.prefix ?? 'strata';
  const streamKey = (topic: string) => `${prefix}:stream:${topic}`;
  const channelKey = (channel: string) => `${prefix}:bc:${channel}`;
  const connect = async (role: string, extra: RedisOptions = {}): Promise<Redis> => {
    const r = new Redis(opts.url, { lazyConnect: true, connectionName: `strata-${opts.service}-${role}`, ...extra });
    r.on('error', (err: Error) => logger?.debug({ err: err.message, role }, 'redis connection error'));
    await r.connect();
    return r;
  };

  const pub = await connect('pub', { maxRetriesPerRequest: 3 });
  const stops = new Set<Unsubscribe>();
  let sub: Promise<Redis> | null = null;
  const listeners = new Map<string, Set<(m: unknown) => void>>();

  function subscriber(): Promise<Redis> {
    sub ??= connect('sub').then((s) => {
      s.on('message', (ch: string, raw: string) => {
        let msg: unknown;
        try {
          msg = JSON.parse(raw);
        } catch {
          return;
        }
        for (const h of listeners.get(ch) ?? []) {
          try {
            h(msg);
          } catch (err) {
            logger?.warn({ err: errorMessage(err), channel: ch }, 'broadcast listener failed');
          }
        }
      });
      return s;
    });
    return sub;
  }

  async function ensureGroup(key: string, group: string): Promise<void> {
    try {
      await pub.xgroup('CREATE', key, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!errorMessage(err).includes('BUSYGROUP')) throw err;
    }
  }

  async function subscribe(topic: string, group: string, processor: Processor): Promise<Unsubscribe> {
    const key = streamKey(topic);
    await ensureGroup(key, group);
    const conn = await connect(`consume-${group}`);
    const consumer = `${opts.service}-${randomUUID()}`;
    let running = true;
    let reading = false;

    /** Hands entries to the handler; acknowledges what it handled (and entries trimmed away). */
    async function handle(entries: StreamEntry[]): Promise<void> {
      const gone: string[] = [];
      const ids: string[] = [];
      const events: unknown[] = [];
      for (const [id, fields] of entries) {
        if (!fields) {
          gone.push(id);
          continue;
        }
        const i = fields.indexOf('e');
        let event: unknown = null;
        try {
          event = i >= 0 ? JSON.parse(fields[i + 1] ?? 'null') : null;
        } catch {
          event = null; // unreadable: the handler sees null and skips it
        }
        ids.push(id);
        events.push(event);
      }
      if (gone.length) await conn.xack(key, group, ...gone);
      if (!ids.length) return;
      const outcome = await processor(events);
      if (outcome.done) await conn.xack(key, group, ...ids.slice(0, outcome.done));
      if (outcome.done < ids.length) {
        logger?.warn({ err: errorMessage(outcome.error), topic, group }, 'event handler failed; will retry');
      }
    }

    /** Re-delivers entries pending longer than RETRY_IDLE_MS in this group (any consumer). */
    async function reclaim(): Promise<void> {
      let cursor = '0-0';
      for (let round = 0; round < 10 && running; round++) {
        const res = (await conn.xautoclaim(key, group, consumer, RETRY_IDLE_MS, cursor, 'COUNT', READ_COUNT)) as [string, StreamEntry[], string[]?];
        cursor = res[0];
        if (res[1]?.length) await handle(res[1]);
        if (cursor === '0-0') break;
      }
    }

    const loop = (async () => {
      let lastClaim = 0;
      while (running) {
        try {
          if (Date.now() - lastClaim >= RETRY_IDLE_MS) {
            lastClaim = Date.now();
            await reclaim();
          }
          reading = true;
          const res = (await conn.xreadgroup('GROUP', group, consumer, 'COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', key, '>')) as [string, StreamEntry[]][] | null;
          reading = false;
          for (const [, entries] of res ?? []) await handle(entries);
        } catch (err) {
          reading = false;
          if (!running) break;
          const message = errorMessage(err);
          logger?.warn({ err: message, topic, group }, 'stream read failed; retrying');
          if (message.includes('NOGROUP')) await ensureGroup(key, group).catch(() => {}); // Redis lost its data
          await sleep(500);
        }
      }
    })();

    const stop = async () => {
      if (!running) return loop;
      running = false;
      if (reading) conn.disconnect(); // break the blocking read at once
      await loop;
      conn.disconnect();
      stops.delete(stop);
      // forget this consumer in the group when it leaves nothing pending (else others claim it)
      try {
        const pending = (await pub.xpending(key, group, '-', '+', 1, consumer)) as unknown[];
        if (!pending.length) await pub.xgroup('DELCONSUMER', key, group, consumer);
      } catch {
        /* best effort */
      }
    };
    stops.add(stop);
    return stop;
  }

  async function add(topic: string, events: unknown[]): Promise<void> {
    if (!events.length) return;
    const pipe = pub.pipeline();
    for (const e of events) pipe.xadd(streamKey(topic), 'MAXLEN', '~', String(MAXLEN), '*', 'e', JSON.stringify(e ?? null));
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  const bus: EventBus = {
    publish: (topic, event) => add(topic, [event]),
    publishMany: (topic, events) => add(topic, events),
    consume: (topic, group, handler) => subscribe(topic, group, eachEvent(handler)),
    consumeBatch: (topic, group, handler) => subscribe(topic, group, wholeBatch(handler)),
    async broadcast(channel, message) {
      await pub.publish(channelKey(channel), JSON.stringify(message ?? null));
    },
    async listen(channel, handler): Promise<Unsubscribe> {
      const ch = channelKey(channel);
      const s = await subscriber();
      let set = listeners.get(ch);
      if (!set) {
        set = new Set();
        listeners.set(ch, set);
        set.add(handler);
        await s.subscribe(ch);
      } else {
        set.add(handler);
      }
      const own = set;
      return async () => {
        own.delete(handler);
        if (!own.size && listeners.get(ch) === own) {
          listeners.delete(ch);
          await s.unsubscribe(ch).catch(() => {});
        }
      };
    },
    async close() {
      for (const stop of [...stops]) await stop();
      if (sub) (await sub.catch(() => null))?.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
  return bus;
}
