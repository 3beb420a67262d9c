// Environment shared by every Strata process (docs/api.md#commands). Each service reads what it needs
// through these helpers so names and defaults live in one place.
import { z } from 'zod';

export const SUBGRAPHS = ['inventory', 'branching', 'history', 'auth'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** Default listen ports; every one can be overridden with PORT when the process is started alone. */
export const DEFAULT_PORTS = {
  gateway: 8000,
  inventory: 4001,
  branching: 4002,
  history: 4003,
  auth: 4004,
  'rest-adapter': 4010,
} as const;

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : !['false', '0', 'no', 'off'].includes(v.toLowerCase())));
const int = (def: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : Number.parseInt(v, 10)))
    .pipe(z.number().int().positive());

/** A duration in ms: `15s`, `500ms`, `2m`, or a plain number of seconds. */
export function parseDuration(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(v);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
}
const duration = (defMs: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return defMs;
      const ms = parseDuration(v);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 15s, 500ms or 2m, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return ms;
    });

const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  STRATA_CONTEXT_SECRET: z.string().min(32).optional(),
  STRATA_GRAPHQL_ENABLED: bool(true),
  STRATA_MAX_PAGE_SIZE: int(1000),
  STRATA_GRAPHQL_MAX_ALIASES: int(10),
  STRATA_GRAPHQL_MAX_DEPTH: int(15),
  STRATA_ALLOW_ANONYMOUS_READ: bool(false),
  STRATA_DATA_DIR: z.string().optional(),
  /** per-request database time (each statement); `0` turns the limit off */
  STRATA_STATEMENT_TIMEOUT: duration(15_000),
});
export type StrataEnv = z.infer<typeof EnvSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): StrataEnv {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${msg}`);
  }
  return parsed.data;
}

export function requireContextSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = readEnv(env).STRATA_CONTEXT_SECRET;
  if (!secret) throw new Error('STRATA_CONTEXT_SECRET is not set (at least 32 characters, shared by gateway and subgraphs)');
  return secret;
}

/**
 * Connection string and Postgres schema for one subgraph: `<SUBGRAPH>_DATABASE_URL` when set,
 * else `DATABASE_URL`; each subgraph lives in its own schema named after it (or `?schema=`).
 */
export function databaseFor(subgraph: SubgraphName, env: NodeJS.ProcessEnv = process.env): { url: string; schema: string } {
  const own = env[`${subgraph.toUpperCase()}_DATABASE_URL`];
  const raw = own || env.DATABASE_URL;
  if (!raw) throw new Error(`DATABASE_URL (or ${subgraph.toUpperCase()}_DATABASE_URL) is not set`);
  const u = new URL(raw);
  const schema = u.searchParams.get('schema') ?? subgraph;
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

/** Where a subgraph is reachable: `<SUBGRAPH>_URL` (e.g. INVENTORY_URL) or localhost:<default port>. */
export function subgraphUrl(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): string {
  return env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`;
}

export function listenPort(service: keyof typeof DEFAULT_PORTS, env: NodeJS.ProcessEnv = process.env): number {
  return env.PORT ? Number.parseInt(env.PORT, 10) : DEFAULT_PORTS[service];
}

/** Bind address of a service (docs/api.md#commands `HOST`): 127.0.0.1 unless set (images set 0.0.0.0). */
export function listenHost(env: NodeJS.ProcessEnv = process.env, override?: string): string {
  return override || env.HOST || '127.0.0.1';
}

export const VERSION = '0.1.0';
