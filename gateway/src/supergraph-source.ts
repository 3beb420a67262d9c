// Where the supergraph comes from: the subgraph list of `supergraph.yaml` (Rover's format),
// each subgraph's live SDL (`_service { sdl }`, fetched with a signed system context), composed
// with @apollo/composition. Re-reads the SDLs periodically (and on demand, e.g. when a
// "schema updated" event arrives) and hands a new supergraph to the gateway when they change.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  CONTEXT_HEADER,
  newRequestContext,
  signContext,
  subgraphUrl,
  systemPrincipal,
  SUBGRAPHS,
  type Logger,
  type SubgraphName,
} from '@strata/shared';

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
  return Object.entries(parsed.subgraphs).map(([name, def]) => ({
    name,
    // env (INVENTORY_URL, ...) wins over the routing_url written for local development
    url: (SUBGRAPHS as readonly string[]).includes(name)
      ? (env[`${name.toUpperCase()}_URL`] ?? def.routing_url ?? subgraphUrl(name as SubgraphName, env))
      : (def.routing_url ?? ''),
  }));
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

export function supergraphSource(opts: { configFile: string; env: NodeJS.ProcessEnv; secret: string; pollMs: number; logger: Logger; startupTimeoutMs?: number }): SupergraphSource {
  let endpoints: SubgraphEndpoint[] = [];
  let hash = '';
  let update: ((sdl: string) => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> | null = null;

  async function composeNow(): Promise<{ sdl: string; hash: string }> {
    const sdls = await Promise.all(endpoints.map(async (e) => ({ ...e, sdl: await fetchSdl(e, opts.secret) })));
    const h = createHash('sha256').update(JSON.stringify(sdls.map((s) => [s.name, s.sdl]))).digest('hex');
    if (h === hash) return { sdl: '', hash: h };
    return { sdl: composeSupergraph(sdls), hash: h };
  }

  async function refresh(): Promise<void> {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      try {
        const next = await composeNow();
        if (next.sdl && update) {
          hash = next.hash;
          update(next.sdl);
          opts.logger.info('supergraph recomposed');
        }
      } catch (err) {
        // keep serving the previous supergraph
        opts.logger.warn({ err: (err as Error).message }, 'recomposition failed; keeping the current supergraph');
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
      const deadline = Date.now() + (opts.startupTimeoutMs ?? 120_000);
      for (let attempt = 1; ; attempt++) {
        try {
          const first = await composeNow();
          hash = first.hash;
          update = hooks.update;
          timer = setInterval(() => void refresh(), opts.pollMs);
          timer.unref();
          return {
            supergraphSdl: first.sdl,
            cleanup: async () => {
              if (timer) clearInterval(timer);
            },
          };
        } catch (err) {
          if (Date.now() > deadline) throw err;
          if (attempt % 5 === 1) opts.logger.info({ err: (err as Error).message }, 'waiting for subgraphs');
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
  };
}
