// Shared plumbing of the dialect test files: one inventory instance on its own test database,
// called directly with a signed admin context, plus small helpers to read answers.
import { expect } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type GqlResponse, type TestDatabase } from '../../../test/support.ts';
import { start, type RunningInventory } from '../src/server.ts';

type Ctx = Parameters<typeof callSubgraph>[4];

export interface DialectInstance {
  db: TestDatabase;
  inv: RunningInventory;
  /** the raw answer (data, errors, extensions, HTTP status) */
  raw(query: string, variables?: Record<string, unknown>, ctx?: Ctx): Promise<GqlResponse>;
  /** data of an answer that must have no errors */
  gql(query: string, variables?: Record<string, unknown>, ctx?: Ctx): Promise<Record<string, any>>;
  /** starts another instance on the same database (e.g. other limits); closed with this one */
  another(env: Record<string, string>): Promise<Pick<DialectInstance, 'raw' | 'gql'>>;
  close(): Promise<void>;
}

const noBus = { publisher: { publish: async () => {} } };

function clients(url: string): Pick<DialectInstance, 'raw' | 'gql'> {
  const raw = (query: string, variables?: Record<string, unknown>, ctx?: Ctx) => callSubgraph(url, 'inventory', query, variables, ctx);
  const gql = async (query: string, variables?: Record<string, unknown>, ctx?: Ctx) => {
    const r = await raw(query, variables, ctx);
    expect(r.errors, `${query}\n${JSON.stringify(r.errors)}`).toBeUndefined();
    return r.data!;
  };
  return { raw, gql };
}

export async function startDialect(label: string): Promise<DialectInstance> {
  const db = await createTestDatabase(label);
  const inv = await start(serviceEnv(db.url), noBus);
  const extra: RunningInventory[] = [];
  return {
    db,
    inv,
    ...clients(inv.url),
    async another(env) {
      const other = await start(serviceEnv(db.url, env), noBus);
      extra.push(other);
      return clients(other.url);
    },
    async close() {
      for (const e of extra) await e.close();
      await inv.close();
      await db.drop();
    },
  };
}

/** The single error of an answer: code, message, path; asserts data is null (top-level field). */
export function onlyError(r: GqlResponse): { code: string; message: string; path?: (string | number)[] } {
  expect(r.errors, JSON.stringify(r.data)).toHaveLength(1);
  const e = r.errors![0]!;
  return { code: e.extensions?.code, message: e.message, path: e.path };
}

/** `results` of a `<x>_list` answer mapped to one field. */
export function col<T = string>(data: Record<string, any>, list: string, field = 'name'): T[] {
  return (data[list].results as Record<string, T>[]).map((r) => r[field]!);
}

/** Sorted copy (code-point order, independent of the database collation). */
export const sorted = <T>(xs: T[]): T[] => [...xs].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
