// Where the supergraph comes from: the subgraph list of `supergraph.yaml` (Rover's format),
// each subgraph's live SDL (`_service { sdl }`, fetched with a signed system context), composed
// with @apollo/composition. Re-reads the SDLs periodically (and on demand, e.g. when a
// "schema updated" event arrives) and hands a new supergraph to the gateway when they change.
// A subgraph that is down at a re-read keeps its last known SDL (the others' changes still get
// through); nothing a re-read finds ever drops the supergraph being served.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONTEXT_HEADER, newRequestContext, signContext, subgraphUrl, systemPrincipal, SUBGRAPHS, type Logger, type SubgraphName } from '@strata/shared';

const SupergraphYaml = z.object({
  federation_version: z.string().optional(),
  subgraphs: z.record(z.string(), z.object({ routing_url: z.string().optional(), schema: z.object({ file: z.string() }).partial().optional() })),
});

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

export async function readSubgraphList(file: string, env: NodeJS.ProcessEnv): Promise<SubgraphEndpoint[]> {
  const parsed = SupergraphYaml.parse(parseYaml(await readFile(file, 'utf8')));
  return Object.entries(parsed.subgraphs).map(([name, def]) => {
    // env (INVENTORY_URL, ...) wins over the routing_url written for local development
    const url = (SUBGRAPHS as readonly string[]).includes(name) ? (env[`${name.toUpperCase()}_URL`] ?? def.routing_url ?? subgraphUrl(name as SubgraphName, env)) : def.routing_url;
    if (!url) throw new Error(`${file}: subgraph ${name} has no routing_url`);
    return { name, url };
  });
}

async function fetchSdl(sg: SubgraphEndpoint, secret: string): Promise<string> {
  const token = await signContext(newRequestContext({ user: systemPrincipal('gateway') }), { secret, audience: sg.name });
  const res = await fetch(sg.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${sg.name} answered ${res.status}`);
  const body = (await res.json()) as { data?: { _service?: { sdl?: string } } };
  const sdl = body.data?._service?.sdl;
  if (!sdl) throw new Error(`${sg.name} returned no SDL`);
  return sdl;
}

export function composeSupergraph(list: { name: string; url: string; sdl: string }[]): string {
  const result = composeServices(list.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors?.length) throw new Error(`Composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl!;
}

export interface SupergraphSource {
  /** for @apollo/gateway's `supergraphSdl` option */
  loader: (opts: { update: (sdl: string) => void; healthCheck: (sdl: string) => Promise<void> }) => Promise<{ supergraphSdl: string; cleanup: () => Promise<void> }>;
  /** re-read the subgraph SDLs now (a schema-updated event arrived) */
  refresh(): Promise<void>;
  endpoints(): SubgraphEndpoint[];
}

export interface SupergraphSourceOptions {
  configFile: string;
  env: NodeJS.ProcessEnv;
  secret: string;
  /** re-read interval (safety net when a schema-updated broadcast is missed or no bus runs) */
  pollMs: number;
  logger: Logger;
  /** how long start waits for every subgraph to answer before giving up */
  startupTimeoutMs?: number;
}

type Fetched = SubgraphEndpoint & { sdl: string };

/** Every subgraph's SDL, or an error naming each subgraph that did not answer. */
async function fetchAll(endpoints: SubgraphEndpoint[], secret: string): Promise<Fetched[]> {
  const settled = await Promise.allSettled(endpoints.map(async (e) => ({ ...e, sdl: await fetchSdl(e, secret) })));
  const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [`${endpoints[i]!.name} at ${endpoints[i]!.url}: ${messageOf(r.reason)}`] : []));
  if (failed.length) throw new SubgraphsUnavailable(failed);
  return settled.map((r) => (r as PromiseFulfilledResult<Fetched>).value);
}

class SubgraphsUnavailable extends Error {
  constructor(readonly failures: string[]) {
    super(`subgraphs not answering: ${failures.join('; ')}`);
  }
}

function messageOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err);
}

/**
 * Every subgraph's SDL, its last known one for a subgraph that does not answer now; fails only
 * when a subgraph that does not answer has never answered.
 */
async function fetchWithFallback(endpoints: SubgraphEndpoint[], secret: string, known: Map<string, string>): Promise<{ sdls: Fetched[]; down: string[] }> {
  const settled = await Promise.allSettled(endpoints.map(async (e) => ({ ...e, sdl: await fetchSdl(e, secret) })));
  const down: string[] = [];
  const failed: string[] = [];
  const sdls = settled.flatMap((r, i): Fetched[] => {
    const e = endpoints[i]!;
    if (r.status === 'fulfilled') return [r.value];
    const last = known.get(e.name);
    down.push(`${e.name} at ${e.url}: ${messageOf(r.reason)}`);
    if (last === undefined) failed.push(`${e.name} at ${e.url}: ${messageOf(r.reason)}`);
    return last === undefined ? [] : [{ ...e, sdl: last }];
  });
  if (failed.length) throw new SubgraphsUnavailable(failed);
  return { sdls, down };
}

const hashOf = (sdls: Fetched[]) =>
  createHash('sha256')
    .update(JSON.stringify(sdls.map((s) => [s.name, s.url, s.sdl])))
    .digest('hex');

export function supergraphSource(opts: SupergraphSourceOptions): SupergraphSource {
  let endpoints: SubgraphEndpoint[] = [];
  /** hash of the SDL set currently served */
  let hash = '';
  /** hash of the last SDL set that failed to compose (not retried until something changes) */
  let failedHash = '';
  let update: ((sdl: string) => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> | null = null;
  let again = false;
  /** last SDL each subgraph answered */
  const known = new Map<string, string>();
  /** subgraphs that did not answer the last re-read (logged when this changes, not every poll) */
  let downBefore = '';

  async function refreshOnce(): Promise<void> {
    let sdls: Fetched[];
    try {
      const got = await fetchWithFallback(endpoints, opts.secret, known);
      sdls = got.sdls;
      const down = got.down.join('; ');
      if (down !== downBefore) {
        if (down) opts.logger.warn({ down: got.down }, 'subgraphs not answering; using their last known schema');
        else opts.logger.info('every subgraph answers again');
        downBefore = down;
      }
    } catch (err) {
      opts.logger.warn({ err: messageOf(err) }, 'could not re-read subgraph schemas; keeping the current supergraph');
      return;
    }
    for (const s of sdls) known.set(s.name, s.sdl);
    const h = hashOf(sdls);
    if (h === hash || h === failedHash || !update) return;
    let sdl: string;
    try {
      sdl = composeSupergraph(sdls);
    } catch (err) {
      failedHash = h;
      opts.logger.error({ err: messageOf(err) }, 'recomposition failed; keeping the current supergraph');
      return;
    }
    hash = h;
    failedHash = '';
    update(sdl);
    opts.logger.info({ subgraphs: sdls.map((s) => s.name) }, 'supergraph recomposed');
  }

  /** Re-reads now; a request arriving during a refresh runs another one after it (no lost update). */
  function refresh(): Promise<void> {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        do {
          again = false;
          await refreshOnce();
        } while (again);
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  return {
    endpoints: () => endpoints,
    refresh,
    loader: async (hooks) => {
      endpoints = await readSubgraphList(opts.configFile, opts.env);
      if (!endpoints.length) throw new Error(`${opts.configFile} lists no subgraphs`);
      const timeoutMs = opts.startupTimeoutMs ?? 120_000;
      const deadline = Date.now() + timeoutMs;
      opts.logger.info({ subgraphs: endpoints.map((e) => `${e.name}=${e.url}`) }, 'composing the supergraph');
      for (let attempt = 1; ; attempt++) {
        try {
          const sdls = await fetchAll(endpoints, opts.secret);
          const supergraphSdl = composeSupergraph(sdls);
          hash = hashOf(sdls);
          for (const s of sdls) known.set(s.name, s.sdl);
          update = hooks.update;
          timer = setInterval(() => void refresh(), opts.pollMs);
          timer.unref();
          opts.logger.info({ attempts: attempt }, 'supergraph composed');
          return {
            supergraphSdl,
            cleanup: async () => {
              if (timer) clearInterval(timer);
              timer = null;
              update = null;
            },
          };
        } catch (err) {
          // Subgraphs starting in parallel (or mid-deploy with mismatched schemas) get time to settle.
          if (Date.now() > deadline) {
            throw new Error(`Gateway start gave up after ${Math.round(timeoutMs / 1000)} s: ${messageOf(err)}`);
          }
          if (attempt === 1 || attempt % 10 === 0) opts.logger.warn({ attempt, err: messageOf(err) }, 'waiting for subgraphs');
          await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2_000)));
        }
      }
    },
  };
}
