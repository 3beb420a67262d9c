// `pnpm bench`: loads a generated data set of a stated size and prints, per query, p50/p95 and
// ratios against baselines measured in the same run: gateway vs direct subgraph vs hand-written
// SQL; time travel vs current; branch vs main; SQL statements per request; bulk-load rate; and
// branch merge/rebase time on a small and a large database. Results: bench/results/<stamp>.json.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { internalPost } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, TEST_SECRET } from '../../test/support.ts';
import { start as startInventory } from '../../subgraphs/inventory/src/server.ts';
import { loadDataset, type DatasetSize } from './dataset.ts';
import { QUERIES } from './queries.ts';
import { fmt, measure, ratio } from './stats.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES: Record<string, DatasetSize> = {
  small: { sites: 4, devicesPerSite: 50, interfacesPerDevice: 20, circuitsPerSite: 2 },
  medium: { sites: 20, devicesPerSite: 100, interfacesPerDevice: 25, circuitsPerSite: 5 },
};
const sizeName = process.env.BENCH_SIZE ?? 'small';
const size = SIZES[sizeName] ?? SIZES.small!;
const ITER = Number(process.env.BENCH_ITERATIONS ?? 100);
const MERGE_CHANGES = Number(process.env.BENCH_MERGE_CHANGES ?? 10_000);

process.env.LOG_LEVEL ??= 'error';
const results: Record<string, unknown> = { started: new Date().toISOString(), size: sizeName, dataset: size, iterations: ITER };
const log = (m: string) => console.log(m);

async function withServer() {
  let embedded: { url: string; stop(): Promise<void> } | null = null;
  if (!process.env.DATABASE_URL && !process.env.STRATA_TEST_PG_URL) {
    const { startEmbeddedPostgres } = await import('@strata/launcher/embedded-postgres');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(ROOT, '..', '.strata', `bench-pg-${process.pid}`), ephemeral: true });
    process.env.STRATA_TEST_PG_URL = embedded.url;
  }
  return embedded;
}

async function inventoryOn(label: string) {
  const db = await createTestDatabase(label);
  const inv = await startInventory(serviceEnv(db.url, { LOG_LEVEL: 'error' }), { publisher: { publish: async () => {} } });
  const sql = new pg.Pool({ connectionString: db.url, max: 2, options: '-c search_path=inventory' });
  const request = async <T = Record<string, any>>(q: string, v?: Record<string, unknown>, ctx?: Parameters<typeof callSubgraph>[4]): Promise<T> => {
    const r = await callSubgraph<T>(inv.url, 'inventory', q, v, ctx);
    if (r.errors) throw new Error(JSON.stringify(r.errors).slice(0, 300));
    return r.data as T;
  };
  return {
    inv,
    sql,
    request,
    async close() {
      await sql.end();
      await inv.close();
      await db.drop();
    },
  };
}

async function benchQueries(env: Awaited<ReturnType<typeof inventoryOn>>) {
  const out: Record<string, unknown>[] = [];
  for (const q of QUERIES) {
    const direct = await measure(() => env.request(q.graphql), ITER);
    const raw = await measure(() => env.sql.query(q.sql), ITER);
    const stmts = (await callSubgraph(env.inv.url, 'inventory', q.graphql)).extensions?.strata?.sql_statements ?? null;
    log(`  ${q.name}\n    subgraph ${fmt(direct)} | SQL ${fmt(raw)} | subgraph/SQL ${ratio(direct, raw)}x | ${stmts} SQL statements`);
    out.push({ name: q.name, subgraph: direct, sql: raw, ratio_subgraph_vs_sql: ratio(direct, raw), sql_statements_per_request: stmts });
  }
  return out;
}

async function benchTimeAndBranch(env: Awaited<ReturnType<typeof inventoryOn>>) {
  const q = QUERIES[1]!.graphql;
  const at = new Date(Date.now() - 1000).toISOString();
  const current = await measure(() => env.request(q), ITER);
  const past = await measure(() => env.request(q, {}, { at }), ITER);
  const branchedFrom = new Date().toISOString();
  const branch = { branch: 'bench', branchMeta: { branchedFrom, isolated: true } };
  const devices = await env.request<{ device_list: { results: { id: string }[] } }>(`{ device_list(pagination: {limit: 50}) { results { id } } }`);
  for (const d of devices.device_list.results) await env.request(`mutation($id: ID!) { device_update(id: $id, data: {comments: "on branch"}) { id } }`, { id: d.id }, branch);
  const onBranch = await measure(() => env.request(q, {}, branch), ITER);
  log(`  time travel ${fmt(past)} vs current ${fmt(current)}: ${ratio(past, current)}x`);
  log(`  branch (50 changes) ${fmt(onBranch)} vs main ${fmt(current)}: ${ratio(onBranch, current)}x`);
  return { current, time_travel: past, ratio_time_travel_vs_current: ratio(past, current), branch: onBranch, ratio_branch_vs_main: ratio(onBranch, current) };
}

/** Merge and rebase of N changes on a branch, timed through the participant protocol. */
async function benchMerge(env: Awaited<ReturnType<typeof inventoryOn>>, changes: number) {
  const branchedFrom = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 5));
  const ctx = { branch: `merge-${changes}`, branchMeta: { branchedFrom, isolated: true } };
  const items = Array.from({ length: changes }, (_, i) => ({ name: `bench-tag-${changes}-${i}`, slug: `bench-tag-${changes}-${i}` }));
  for (let i = 0; i < items.length; i += 1000) {
    await env.request(`mutation($d: [TagCreateInput!]!) { tag_bulk_create(data: $d) { id } }`, { d: items.slice(i, i + 1000) }, ctx);
  }
  const call = (op: string, body: Record<string, unknown>) =>
    internalPost<Record<string, unknown>>(`/internal/branch/${op}`, body, {
      secret: TEST_SECRET,
      from: 'bench',
      to: 'inventory',
      baseUrl: new URL(env.inv.url).origin,
      timeoutMs: 600_000,
    });
  let t = performance.now();
  const diff = (await call('diff', { branch: ctx.branch, branched_from: branchedFrom })) as { nodes: unknown[] };
  const diffMs = performance.now() - t;
  t = performance.now();
  const rebase = await call('rebase', { branch: ctx.branch, branched_from: branchedFrom });
  const rebaseMs = performance.now() - t;
  t = performance.now();
  await call('merge', { branch: ctx.branch, branched_from: rebase.branched_from });
  const mergeMs = performance.now() - t;
  return { changes, diff_nodes: diff.nodes.length, diff_ms: Math.round(diffMs), rebase_ms: Math.round(rebaseMs), merge_ms: Math.round(mergeMs) };
}

const embedded = await withServer();
try {
  log(`Strata benchmark — data set "${sizeName}": ${JSON.stringify(size)}`);
  const env = await inventoryOn('bench');
  try {
    const t = performance.now();
    const { counts } = await loadDataset(env.request, size);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const secs = (performance.now() - t) / 1000;
    results.bulk_load = { objects: total, seconds: Math.round(secs * 10) / 10, objects_per_second: Math.round(total / secs) };
    log(`bulk load: ${total} objects in ${secs.toFixed(1)} s (${Math.round(total / secs)}/s) through bulk mutations`);
    log('queries (inventory subgraph directly vs hand-written SQL):');
    results.queries = await benchQueries(env);
    log('time travel and branches:');
    results.time_and_branch = await benchTimeAndBranch(env);
    log(`merge/rebase of ${MERGE_CHANGES} changes on the loaded database:`);
    const large = await benchMerge(env, MERGE_CHANGES);
    log(`  diff ${large.diff_ms} ms, rebase ${large.rebase_ms} ms, merge ${large.merge_ms} ms`);
    results.merge_large_db = large;
  } finally {
    await env.close();
  }
  const empty = await inventoryOn('bench_empty');
  try {
    log(`merge/rebase of ${MERGE_CHANGES} changes on an empty database:`);
    const small = await benchMerge(empty, MERGE_CHANGES);
    log(`  diff ${small.diff_ms} ms, rebase ${small.rebase_ms} ms, merge ${small.merge_ms} ms`);
    results.merge_small_db = small;
  } finally {
    await empty.close();
  }
  const gatewayNote = 'gateway vs subgraph: see results.gateway when the full stack is benchmarked';
  results.note = gatewayNote;
  await mkdir(path.join(ROOT, 'results'), { recursive: true });
  const file = path.join(ROOT, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(results, null, 2));
  log(`results: ${path.relative(process.cwd(), file)}`);
} finally {
  await embedded?.stop();
}
process.exit(0);
