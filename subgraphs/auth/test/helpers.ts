// Test helpers for the auth subgraph: start it in-process on a scratch database/schema, sign
// contexts like the gateway, and call GraphQL and the internal endpoint.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { baseUrlOf, CONTEXT_HEADER, newRequestContext, signContext, systemPrincipal, type Principal, type RequestContext } from '@strata/shared';
import { start } from '../src/server.ts';
import { createPrisma, type AuthPrisma } from '../src/db.ts';
import { serviceEnv, TEST_SECRET } from '../../../test/support.ts';

export interface RunningAuth {
  url: string;
  baseUrl: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  prisma: AuthPrisma;
  close(): Promise<void>;
}

/** Starts the auth subgraph on `dbUrl` in Postgres schema `schema`, with its own data dir. */
export async function startAuth(dbUrl: string, schema: string, extra: Record<string, string | undefined> = {}): Promise<RunningAuth> {
  const dataDir = extra.STRATA_DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'strata-auth-')));
  const u = new URL(dbUrl);
  u.searchParams.set('schema', schema);
  const env = serviceEnv(u.toString(), {
    STRATA_DATA_DIR: dataDir,
    STRATA_INITIAL_ADMIN_PASSWORD: undefined,
    STRATA_INITIAL_ADMIN_TOKEN: undefined,
    ...extra,
  });
  const running = await start(env);
  const prisma = createPrisma({ url: dbUrl, schema });
  return {
    url: running.url,
    baseUrl: baseUrlOf(running.url),
    dataDir,
    env,
    prisma,
    async close() {
      await running.close();
      await prisma.$disconnect();
      if (!extra.STRATA_DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function userPrincipal(user: { id: string; username: string; roles: Principal['roles'] }): Principal {
  return { id: user.id, username: user.username, roles: user.roles, via: 'token' };
}

export async function contextToken(ctx: Partial<RequestContext>, opts: { secret?: string; audience?: string } = {}): Promise<string> {
  return signContext(newRequestContext(ctx), { secret: opts.secret ?? TEST_SECRET, audience: opts.audience ?? 'auth' });
}

export interface GqlResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions?: { code?: string } }[];
  };
}

/** POSTs a GraphQL operation; `ctx: null` sends no context header at all. */
export async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  ctx: Partial<RequestContext> | null = {},
  headerOverride?: string,
): Promise<GqlResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (headerOverride !== undefined) headers[CONTEXT_HEADER] = headerOverride;
  else if (ctx) headers[CONTEXT_HEADER] = await contextToken(ctx);
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as GqlResult['body'] };
}

export interface AuthenticateAnswer {
  status: number;
  body: { principal?: Principal; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** Calls POST /internal/authenticate as the gateway (system principal) unless told otherwise. */
export async function callAuthenticate(baseUrl: string, body: unknown, opts: { ctx?: Partial<RequestContext> | null; header?: string } = {}): Promise<AuthenticateAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.header !== undefined) headers[CONTEXT_HEADER] = opts.header;
  else if (opts.ctx !== null) headers[CONTEXT_HEADER] = await contextToken(opts.ctx ?? { user: systemPrincipal('gateway') });
  const res = await fetch(new URL('/internal/authenticate', baseUrl), {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as AuthenticateAnswer['body'] };
}
