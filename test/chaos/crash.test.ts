// Chaos: the real multi-process system as users run it (`pnpm start`'s launcher, against the test
// Postgres server and Redis when REDIS_URL is set), under steady traffic through the gateway
// (reads of every subgraph, writes to inventory, REST) with the admin token. Each service in turn
// is killed with SIGKILL. Asserted (docs/operations.md, "Supervision"; docs/api.md#errors):
// - the launcher restarts it and every probe answers again within a generous bound;
// - meanwhile requests fail only with SERVICE_UNAVAILABLE (GraphQL) or 502/503/504 JSON (REST),
//   never a 500 or an HTML page; only the gateway's own outage refuses connections;
// - the other subgraphs' fields keep answering while one subgraph is down;
// - every write that was acknowledged is readable afterwards, and in the change log.
// Prints the failed requests and the time to recovery per service; asserts no timings beyond
// the recovery bound. Loopback only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, isPortFree } from '../../packages/launcher/src/processes.ts';
import { RunStateFile } from '../../packages/launcher/src/run-state.ts';
import { LAUNCHER_DIR, spawnTsx, watchOutput } from '../../packages/launcher/test/helpers.ts';
import { freePort } from '../ports.ts';
import { createTestDatabase, type TestDatabase } from '../support.ts';

const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdefghijklmnop';
/** how long a killed service may take to answer again (restart + migrations check + composition) */
const RECOVERY_BOUND_MS = 120_000;

const SERVICES = ['inventory', 'branching', 'history', 'auth', 'rest-adapter', 'gateway'] as const;
type Service = (typeof SERVICES)[number];

type Outcome =
  | { kind: 'ok' }
  /** SERVICE_UNAVAILABLE (GraphQL) or 502/503/504 JSON (REST) */
  | { kind: 'unavailable'; services: string[] }
  /** no HTTP answer at all (connection refused/reset) */
  | { kind: 'refused' }
  /** anything else: a contract violation */
  | { kind: 'bad'; detail: string };

interface Probe {
  name: string;
  /** services whose outage may make this probe fail */
  needs: Service[];
  run(): Promise<Outcome>;
}

interface Record_ {
  at: number;
  probe: string;
  outcome: Outcome;
}

let db: TestDatabase;
let dataDir: string;
let ports: Record<Service, number>;
let launcher: ReturnType<typeof spawnTsx>;
let out: ReturnType<typeof watchOutput>;
/** ids of sites whose create was acknowledged */
const acknowledged: string[] = [];
let writeSeq = 0;

const origin = () => `http://127.0.0.1:${ports.gateway}`;

async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<{ outcome: Outcome; data?: Record<string, any> | null }> {
  let res: Response;
  try {
    res = await fetch(`${origin()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return { outcome: { kind: 'refused' } };
  }
  const text = await res.text().catch(() => null);
  if (text === null) return { outcome: { kind: 'refused' } };
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return { outcome: { kind: 'bad', detail: `${res.status} ${type}: ${text.slice(0, 200)}` } };
  let body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string; service?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    return { outcome: { kind: 'bad', detail: `${res.status} unparsable JSON: ${text.slice(0, 200)}` } };
  }
  if (res.status === 200 && !body.errors?.length && body.data) return { outcome: { kind: 'ok' }, data: body.data };
  const errors = body.errors ?? [];
  if (errors.length && errors.every((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE') && (res.status === 200 || res.status === 503)) {
    if (/127\.0\.0\.1|ECONNREFUSED|stack|at .*\.ts:/.test(text)) return { outcome: { kind: 'bad', detail: `internals leaked: ${text.slice(0, 300)}` } };
    return { outcome: { kind: 'unavailable', services: [...new Set(errors.map((e) => e.extensions?.service ?? '?'))] }, data: body.data };
  }
  return { outcome: { kind: 'bad', detail: `${res.status} ${text.slice(0, 300)}` } };
}

async function rest(url: string): Promise<Outcome> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Token ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(30_000) });
  } catch {
    return { kind: 'refused' };
  }
  const text = await res.text().catch(() => null);
  if (text === null) return { kind: 'refused' };
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return { kind: 'bad', detail: `${res.status} ${type}: ${text.slice(0, 200)}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'bad', detail: `${res.status} unparsable JSON: ${text.slice(0, 200)}` };
  }
  if (res.status === 200) return { kind: 'ok' };
  const errors = (body as { errors?: unknown }).errors;
  if ([502, 503, 504].includes(res.status) && Array.isArray(errors) && errors.every((e) => typeof e === 'string')) return { kind: 'unavailable', services: ['rest'] };
  return { kind: 'bad', detail: `${res.status} ${text.slice(0, 300)}` };
}

const probes: Probe[] = [
  {
    name: 'inventory read',
    needs: ['inventory', 'auth', 'gateway'],
    run: async () => (await graphql('{ site_list(pagination: {limit: 1}) { total_count } }')).outcome,
  },
  {
    name: 'inventory write',
    needs: ['inventory', 'auth', 'gateway'],
    async run() {
      const n = ++writeSeq;
      const r = await graphql('mutation ($data: SiteCreateInput!) { site_create(data: $data) { id name } }', {
        data: { name: `chaos site ${n}`, slug: `chaos-site-${n}` },
      });
      const id = r.data?.site_create?.id;
      if (r.outcome.kind === 'ok') {
        if (typeof id !== 'string') return { kind: 'bad', detail: `create acknowledged without an id: ${JSON.stringify(r.data)}` };
        acknowledged.push(id);
      }
      return r.outcome;
    },
  },
  { name: 'branching read', needs: ['branching', 'auth', 'gateway'], run: async () => (await graphql('{ branch(name: "main") { name } }')).outcome },
  { name: 'history read', needs: ['history', 'auth', 'gateway'], run: async () => (await graphql('{ changelog_list(pagination: {limit: 1}) { total_count } }')).outcome },
  { name: 'auth read', needs: ['auth', 'gateway'], run: async () => (await graphql('{ me { username } }')).outcome },
  // REST through the gateway, and straight to the REST adapter (which then calls the gateway)
  { name: 'REST via gateway', needs: ['rest-adapter', 'branching', 'auth', 'gateway'], run: () => rest(`${origin()}/api/info`) },
  { name: 'REST direct', needs: ['rest-adapter', 'branching', 'auth', 'gateway'], run: () => rest(`http://127.0.0.1:${ports['rest-adapter']}/api/info`) },
];

/** Runs every probe in a loop on `workers` concurrent lanes until stopped; records each outcome. */
function traffic(workers: number) {
  const log: Record_[] = [];
  let running = true;
  const lanes = Array.from({ length: workers }, async (_, lane) => {
    for (let i = lane; running; i++) {
      const p = probes[i % probes.length]!;
      log.push({ at: Date.now(), probe: p.name, outcome: await p.run() });
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  return {
    log,
    async stop() {
      running = false;
      await Promise.all(lanes);
    },
  };
}

async function children(): Promise<Record<string, number>> {
  const s = await RunStateFile.read(dataDir);
  return Object.fromEntries(Object.entries(s?.children ?? {}).map(([n, c]) => [n, c.pid]));
}

/** Every probe answers ok in one sweep. */
async function allOk(): Promise<boolean> {
  for (const p of probes) if ((await p.run()).kind !== 'ok') return false;
  return true;
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- launcher output (tail) ---\n${out.text.slice(-6000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const describeOutcome = (o: Outcome) => (o.kind === 'unavailable' ? `unavailable(${o.services.join(',')})` : o.kind);

describe('chaos: a crash is contained', () => {
  beforeAll(async () => {
    db = await createTestDatabase('chaos');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-chaos-'));
    fs.chmodSync(dataDir, 0o755);
    ports = {} as Record<Service, number>;
    for (const s of SERVICES) ports[s] = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.STRATA_CONTEXT_SECRET;
    Object.assign(env, {
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      STRATA_BUS_PREFIX: `strata-chaos-${path.basename(new URL(db.url).pathname)}`,
      STRATA_DATA_DIR: dataDir,
      STRATA_INITIAL_ADMIN_TOKEN: ADMIN_TOKEN,
      STRATA_INITIAL_ADMIN_PASSWORD: 'chaos admin password',
      PORT: String(ports.gateway),
      INVENTORY_URL: `http://127.0.0.1:${ports.inventory}/graphql`,
      BRANCHING_URL: `http://127.0.0.1:${ports.branching}/graphql`,
      HISTORY_URL: `http://127.0.0.1:${ports.history}/graphql`,
      AUTH_URL: `http://127.0.0.1:${ports.auth}/graphql`,
      REST_ADAPTER_URL: `http://127.0.0.1:${ports['rest-adapter']}`,
    });
    launcher = spawnTsx(path.join(LAUNCHER_DIR, 'src/main.ts'), [], env);
    out = watchOutput(launcher);
    await out.waitFor(/Strata is ready on http:\/\/localhost:\d+/, 300_000);
    await waitUntil(allOk, 60_000, 'every probe to answer after start');
  }, 400_000);

  afterAll(async () => {
    if (launcher && launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGINT');
      await Promise.race([out.exit, new Promise((r) => setTimeout(r, 30_000))]);
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
    }
    await db?.drop().catch(() => {});
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('survives SIGKILL of each service in turn under traffic, and loses no acknowledged write', { timeout: 900_000 }, async () => {
    const report: string[] = [];
    for (const service of SERVICES) {
      const before = await children();
      const oldPid = before[service];
      expect(oldPid, `${service} pid in launcher.json`).toBeTypeOf('number');

      const load = traffic(4);
      await new Promise((r) => setTimeout(r, 1_000)); // steady state first
      const killedAt = Date.now();
      const exitLine = new RegExp(`${service} exited unexpectedly \\(signal SIGKILL\\): restarting it`);
      const seenBefore = out.text.match(new RegExp(exitLine.source, 'g'))?.length ?? 0;
      process.kill(oldPid!, 'SIGKILL');
      await waitUntil(async () => (out.text.match(new RegExp(exitLine.source, 'g'))?.length ?? 0) > seenBefore, 30_000, `the launcher to notice ${service} died`);
      await waitUntil(
        async () => {
          const pid = (await children())[service];
          return pid !== undefined && pid !== oldPid && isAlive(pid);
        },
        RECOVERY_BOUND_MS,
        `${service} to be restarted`,
      );
      await waitUntil(allOk, RECOVERY_BOUND_MS - (Date.now() - killedAt), `every probe to answer again after ${service} was killed`);
      const recoveredAt = Date.now();
      await new Promise((r) => setTimeout(r, 500));
      await load.stop();

      const during = load.log.filter((r) => r.at >= killedAt);
      const outage = during.filter((r) => r.at < recoveredAt);
      const failed = during.filter((r) => r.outcome.kind !== 'ok');
      const kinds = [...new Set(failed.map((r) => `${r.probe}: ${describeOutcome(r.outcome)}`))];
      const back = [...out.text.matchAll(new RegExp(`${service} is back after restart \\d+ \\(ready in ([\\d.]+) s\\)`, 'g'))].at(-1)?.[1];
      report.push(
        `${service}: every probe answers again ${recoveredAt - killedAt} ms after the kill (the restarted process answered /health after ${back ?? '?'} s); ` +
          `${failed.length} of ${during.length} requests failed${kinds.length ? ` (${kinds.join('; ')})` : ''}`,
      );

      // never a 500, an HTML page or leaked internals
      const bad = during.filter((r) => r.outcome.kind === 'bad');
      expect(
        bad.map((r) => `${r.probe}: ${(r.outcome as { detail: string }).detail}`),
        `${service} outage`,
      ).toEqual([]);
      // failures only from probes that need the killed service
      for (const r of failed) expect(probes.find((p) => p.name === r.probe)!.needs, `${r.probe} failed while ${service} was down`).toContain(service);
      // no HTTP answer at all only when the gateway (or, for the direct REST probe, the REST adapter) itself is down
      for (const r of failed.filter((f) => f.outcome.kind === 'refused')) {
        expect(service === 'gateway' || (service === 'rest-adapter' && r.probe === 'REST direct'), `${r.probe} refused while ${service} was down`).toBe(true);
      }
      // a subgraph's fields fail with its own name
      if (['inventory', 'branching', 'history'].includes(service)) {
        for (const r of failed.filter((f) => f.outcome.kind === 'unavailable' && !f.probe.startsWith('REST'))) {
          expect((r.outcome as { services: string[] }).services).toEqual([service]);
        }
        // the other subgraphs keep answering during the outage
        const others = outage.filter((r) => !probes.find((p) => p.name === r.probe)!.needs.includes(service));
        expect(others.length, `requests to other subgraphs while ${service} was down`).toBeGreaterThan(0);
        expect(
          others.every((r) => r.outcome.kind === 'ok'),
          `other subgraphs while ${service} was down`,
        ).toBe(true);
      }
    }
    console.log(`chaos results:\n  ${report.join('\n  ')}`);

    // nothing acknowledged is lost: every acknowledged create is readable, and in the change log
    expect(acknowledged.length).toBeGreaterThan(0);
    for (let i = 0; i < acknowledged.length; i += 500) {
      const ids = acknowledged.slice(i, i + 500);
      const r = await graphql('query ($ids: [ID!]) { site_list(filters: {id: {in_list: $ids}}, pagination: {limit: 1000}) { total_count } }', { ids });
      expect(r.outcome).toEqual({ kind: 'ok' });
      expect(r.data?.site_list.total_count, 'acknowledged sites readable').toBe(ids.length);
    }
    let logged = 0;
    await waitUntil(
      async () => {
        logged = 0;
        for (let i = 0; i < acknowledged.length; i += 500) {
          const ids = acknowledged.slice(i, i + 500);
          const r = await graphql('query ($ids: [ID!]) { changelog_list(filters: {changed_object_id: {in_list: $ids}, action: {exact: "create"}}) { total_count } }', { ids });
          logged += r.data?.changelog_list?.total_count ?? 0;
        }
        return logged === acknowledged.length;
      },
      60_000,
      'the change log to hold every acknowledged create',
    ).catch((err: Error) => {
      throw new Error(`${logged} of ${acknowledged.length} acknowledged creates are in the change log\n${err.message}`);
    });
    console.log(`chaos: ${acknowledged.length} acknowledged writes, all readable and in the change log`);

    // Ctrl-C still stops everything cleanly after all those restarts
    const pids = Object.values(await children());
    launcher.kill('SIGINT');
    expect(await out.exit).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const port of Object.values(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });
});
