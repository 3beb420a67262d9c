// Gateway settings from the environment (docs/api.md#commands).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenHost, listenPort, readEnv, requireContextSecret } from '@strata/shared';

export interface GatewayConfig {
  port: number;
  host: string;
  secret: string;
  graphqlEnabled: boolean;
  maxAliases: number;
  maxDepth: number;
  allowAnonymousRead: boolean;
  supergraphConfig: string;
  restAdapterUrl: string;
  /** how often subgraph SDLs are re-read to pick up schema changes (ms) */
  pollMs: number;
  /** how long start waits for every subgraph to answer (ms) */
  startupTimeoutMs: number;
}

const ms = (raw: string | undefined, def: number) => {
  const n = Number(raw);
  return raw && Number.isFinite(n) && n >= 0 ? n : def;
};

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = readEnv(env);
  return {
    port: listenPort('gateway', env),
    host: listenHost(env, env.STRATA_GATEWAY_HOST),
    secret: requireContextSecret(env),
    graphqlEnabled: e.STRATA_GRAPHQL_ENABLED,
    maxAliases: e.STRATA_GRAPHQL_MAX_ALIASES,
    maxDepth: e.STRATA_GRAPHQL_MAX_DEPTH,
    allowAnonymousRead: e.STRATA_ALLOW_ANONYMOUS_READ,
    supergraphConfig: env.STRATA_SUPERGRAPH_CONFIG ?? path.join(REPO_ROOT, 'supergraph.yaml'),
    restAdapterUrl: env.REST_ADAPTER_URL ?? 'http://127.0.0.1:4010',
    pollMs: Math.max(ms(env.STRATA_SCHEMA_POLL_MS, 5_000), 100),
    startupTimeoutMs: ms(env.STRATA_GATEWAY_STARTUP_TIMEOUT_MS, 120_000),
  };
}
