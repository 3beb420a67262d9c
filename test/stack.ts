// Starts the whole system in-process for integration tests: the four subgraphs, the REST
// adapter and the gateway, each through its real `start(env)`, against a fresh database on the
// test Postgres server (and Redis when REDIS_URL is set).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, serviceEnv, type TestDatabase } from './support.ts';
import { freePort } from './ports.ts';

export const STACK_ADMIN_TOKEN = 'strata-test-admin-token-0123456789abcdef';
export const STACK_ADMIN_PASSWORD = 'correct horse battery staple';

interface Service {
  url: string;
  close(): Promise<void>;
}

export interface Stack {
  /** gateway origin, e.g. http://127.0.0.1:43123 */
  origin: string;
  db: TestDatabase;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
  /** POST a GraphQL request through the gateway (admin token unless `token` is given; null = none) */
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { token?: string | null; branch?: string; at?: string },
  ): Promise<{ status: number; data?: T | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, any> }[] }>;
}

export async function startStack(extra: Record<string, string | undefined> = {}): Promise<Stack> {
  const db = await createTestDatabase('stack');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'strata-stack-'));
  // Subgraphs listen on port 0 (no races with other test processes); only the REST adapter and
  // the gateway, which must know each other up front, get ports chosen in advance.
  const ports = { rest: await freePort(), gateway: await freePort() };
  const env = serviceEnv(db.url, {
    STRATA_DATA_DIR: dataDir,
    STRATA_INITIAL_ADMIN_TOKEN: STACK_ADMIN_TOKEN,
    STRATA_INITIAL_ADMIN_PASSWORD: STACK_ADMIN_PASSWORD,
    REST_ADAPTER_URL: `http://127.0.0.1:${ports.rest}`,
    GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
    ...extra,
  });
  const started: Service[] = [];
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => {});
    await db.drop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const [inventory, branching, history, auth, rest, gateway] = await Promise.all([
      import('@strata/inventory/server'),
      import('@strata/branching/server'),
      import('@strata/history/server'),
      import('@strata/auth/server'),
      import('@strata/rest-adapter/server'),
      import('@strata/gateway/server'),
    ]);
    // Subgraphs one by one (each migrates its own schema), then the REST adapter and gateway.
    const subgraphs = { inventory, branching, history, auth };
    for (const [name, mod] of Object.entries(subgraphs)) {
      const s = await mod.start({ ...env, PORT: '0' });
      started.push(s);
      env[`${name.toUpperCase()}_URL`] = s.url;
    }
    started.push(await rest.start({ ...env, PORT: String(ports.rest) }));
    started.push(await gateway.start({ ...env, PORT: String(ports.gateway) }));
  } catch (err) {
    await closeAll();
    throw err;
  }
  const origin = `http://127.0.0.1:${ports.gateway}`;
  return {
    origin,
    db,
    env,
    close: closeAll,
    async graphql(query, variables = {}, opts = {}) {
      const token = opts.token === undefined ? STACK_ADMIN_TOKEN : opts.token;
      const url = new URL(opts.branch ? `/graphql/${opts.branch}` : '/graphql', origin);
      if (opts.at) url.searchParams.set('at', opts.at);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      return { status: res.status, ...body };
    },
  };
}
