// `pnpm start` end to end with the real services: the launcher (embedded PostgreSQL, no
// DATABASE_URL) brings the system up until GET /api/info answers, GraphQL answers through the
// gateway, then SIGINT stops everything: no process left, every port free.
// Skipped until every service entry point exists (gateway, rest-adapter, the four subgraphs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isAlive, isPortFree } from '../src/processes.ts';
import { RunStateFile } from '../src/run-state.ts';
import { serviceSpecs } from '../src/services.ts';
import { DEFAULT_PORTS } from '@strata/shared/config';
import { LAUNCHER_DIR, REPO, spawnTsx, watchOutput } from './helpers.ts';

const entries = serviceSpecs({ ...DEFAULT_PORTS }, REPO).map((s) => s.entry);
const ready = entries.every((e) => fs.existsSync(e));

describe.skipIf(!ready)('pnpm start (real services)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-e2e-'));
  fs.chmodSync(dataDir, 0o755);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts the whole system, answers /api/info and GraphQL, and Ctrl-C leaves nothing behind', { timeout: 600_000 }, async () => {
    const ports = {
      gateway: await freePort(),
      inventory: await freePort(),
      branching: await freePort(),
      history: await freePort(),
      auth: await freePort(),
      rest: await freePort(),
    };
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DATABASE_URL; // the embedded default
    delete env.STRATA_CONTEXT_SECRET;
    Object.assign(env, {
      NO_COLOR: '1',
      LOG_LEVEL: 'warn',
      STRATA_DATA_DIR: dataDir,
      PORT: String(ports.gateway),
      INVENTORY_URL: `http://127.0.0.1:${ports.inventory}/graphql`,
      BRANCHING_URL: `http://127.0.0.1:${ports.branching}/graphql`,
      HISTORY_URL: `http://127.0.0.1:${ports.history}/graphql`,
      AUTH_URL: `http://127.0.0.1:${ports.auth}/graphql`,
      REST_ADAPTER_URL: `http://127.0.0.1:${ports.rest}`,
      STRATA_INITIAL_ADMIN_TOKEN: 'e2e-admin-token-0123456789abcdefghij',
      STRATA_INITIAL_ADMIN_PASSWORD: 'e2e admin password',
    });
    const launcher = spawnTsx(path.join(LAUNCHER_DIR, 'src/main.ts'), [], env);
    const out = watchOutput(launcher);
    try {
      await out.waitFor(/Strata is ready on http:\/\/localhost:\d+/, 300_000);

      const infoRes = await fetch(`http://127.0.0.1:${ports.gateway}/api/info`);
      expect(infoRes.status).toBe(200);
      const info = (await infoRes.json()) as { deployment_id: string; version: string };
      expect(info.deployment_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);

      const gql = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Token ${env.STRATA_INITIAL_ADMIN_TOKEN}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(gql.status).toBe(200);
      expect(await gql.json()).toEqual({ data: { __typename: 'Query' } });
    } catch (err) {
      launcher.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n--- launcher output ---\n${out.text}`);
    }

    const state = await RunStateFile.read(dataDir);
    const pids = Object.values(state?.children ?? {}).map((c) => c.pid);
    expect(pids).toHaveLength(6);
    const pgPid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);

    launcher.kill('SIGINT');
    const exit = await out.exit;
    expect(exit, out.text).toEqual({ code: 0, signal: null });
    for (const pid of [...pids, pgPid]) expect(isAlive(pid), `pid ${pid} still running`).toBe(false);
    for (const port of Object.values(ports)) expect(await isPortFree(port), `port ${port} still in use`).toBe(true);
  });
});
