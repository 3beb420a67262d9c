// Test helpers for the branching subgraph: start it in-process on a scratch database/schema,
// call GraphQL with a gateway-signed context, and call the internal branch endpoint.
import { baseUrlOf, CONTEXT_HEADER, newRequestContext, signContext, systemPrincipal, type RequestContext } from '@strata/shared';
import { start, type StartOptions } from '../src/server.ts';
import { createPrisma, type BranchingPrisma } from '../src/db.ts';
import { callSubgraph, serviceEnv, TEST_SECRET, type GqlResponse } from '../../../test/support.ts';

export interface RunningBranching {
  url: string;
  baseUrl: string;
  prisma: BranchingPrisma;
  close(): Promise<void>;
}

/** Starts the branching subgraph on `dbUrl` in Postgres schema `schema`. */
export async function startBranching(dbUrl: string, schema = 'branching', opts: StartOptions = {}): Promise<RunningBranching> {
  const u = new URL(dbUrl);
  u.searchParams.set('schema', schema);
  const running = await start(serviceEnv(u.toString()), opts);
  const prisma = createPrisma({ url: dbUrl, schema });
  return {
    url: running.url,
    baseUrl: baseUrlOf(running.url),
    prisma,
    async close() {
      await running.close();
      await prisma.$disconnect();
    },
  };
}

/** GraphQL as the gateway would send it (admin user unless `ctx.user` says otherwise). */
export function gql<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown> = {}, ctx: Partial<RequestContext> = {}): Promise<GqlResponse<T>> {
  return callSubgraph<T>(url, 'branching', query, variables, ctx);
}

export function codeOf(res: GqlResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code as string | undefined;
}

export interface MetaAnswer {
  status: number;
  body: {
    name?: string;
    status?: string;
    branched_from?: string;
    isolated?: boolean;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

/** POST /internal/branch; `header: null` sends no context, a string sends that token. */
export async function branchMeta(baseUrl: string, body: unknown, opts: { header?: string | null; audience?: string } = {}): Promise<MetaAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.header === undefined) {
    headers[CONTEXT_HEADER] = await signContext(newRequestContext({ user: systemPrincipal('gateway') }), {
      secret: TEST_SECRET,
      audience: opts.audience ?? 'branching',
    });
  } else if (opts.header !== null) headers[CONTEXT_HEADER] = opts.header;
  const res = await fetch(new URL('/internal/branch', baseUrl), {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as MetaAnswer['body'] };
}

export const BRANCH_FIELDS = 'id name description status branched_from isolated created_by created_at is_default';
