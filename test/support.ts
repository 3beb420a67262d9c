// Helpers for integration tests: a fresh database per test file on the run's Postgres server,
// and the secret/env every in-process service needs.
import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@strata/shared';

export function testServerUrl(): string {
  return process.env.STRATA_TEST_PG_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates `strata_t_<label>_<random>` on the test server; drop it in afterAll. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const u = new URL(testServerUrl());
  u.pathname = `/strata_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = u.toString();
  await ensureDatabase(url);
  return { url, drop: () => dropDatabase(url) };
}

export const TEST_SECRET = 'test-context-secret-0123456789abcdef-0123456789';

/** Env for an in-process service: random port, test secret, the test database, telemetry off. */
export function serviceEnv(databaseUrl: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    STRATA_CONTEXT_SECRET: TEST_SECRET,
    PORT: '0',
    APOLLO_TELEMETRY_DISABLED: 'true',
    // each test database gets its own Redis streams/channels
    STRATA_BUS_PREFIX: `strata-test-${new URL(databaseUrl).pathname.slice(1)}`,
    ...extra,
  };
}

import { CONTEXT_HEADER, newRequestContext, signContext, type RequestContext } from '@strata/shared';

export const ADMIN: NonNullable<RequestContext['user']> = { id: 'u-admin', username: 'admin', roles: ['admin'], via: 'token' };
export const VIEWER: NonNullable<RequestContext['user']> = { id: 'u-viewer', username: 'viewer', roles: ['viewer'], via: 'token' };

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

/** Calls a subgraph directly with a signed context, as the gateway would. */
export async function callSubgraph<T = Record<string, any>>(
  url: string,
  audience: string,
  query: string,
  variables: Record<string, unknown> = {},
  ctx: Partial<RequestContext> = {},
): Promise<GqlResponse<T>> {
  const token = await signContext(newRequestContext({ user: ADMIN, ...ctx }), { secret: TEST_SECRET, audience });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GqlResponse<T>;
  return { ...body, status: res.status };
}
