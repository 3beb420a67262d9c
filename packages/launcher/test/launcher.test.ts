// `pnpm start` mechanics with stand-in services (test/fixtures/services): start order and
// readiness, the environment each child gets, the stored context secret, Ctrl-C with no orphans,
// restarts of a crashed service (backoff, crash-loop limit), the embedded PostgreSQL dying, and
// recovery after the launcher itself was SIGKILLed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isAlive, isPortFree } from '../src/processes.ts';
import { RunStateFile, type RunState } from '../src/run-state.ts';
import { eventually, LAUNCHER_DIR, spawnTsx, watchOutput } from './helpers.ts';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-launch-'));
fs.chmodSync(base, 0o755);
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

interface Ports {
  gateway: number;
  inventory: number;
  branching: number;
  history: number;
  auth: number;
  rest: number;
}

async function randomPorts(): Promise<Ports> {
  return {
    gateway: await freePort(),
    inventory: await freePort(),
    branching: await freePort(),
    history: await freePort(),
    auth: await freePort(),
    rest: await freePort(),
  };
}

function launch(dataDir: string, ports: Ports, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.STRATA_CONTEXT_SECRET;
  Object.assign(env, {
    NO_COLOR: '1',
    STRATA_DATA_DIR: dataDir,
    STRATA_SERVICES_ROOT: path.join(LAUNCHER_DIR, 'test/fixtures/services'),
    PORT: String(ports.gateway),
    INVENTORY_URL: `http://127.0.0.1:${ports.inventory}/graphql`,
    BRANCHING_URL: `http://127.0.0.1:${ports.branching}/graphql`,
    HISTORY_URL: `http://127.0.0.1:${ports.history}/graphql`,
    AUTH_URL: `http://127.0.0.1:${ports.auth}/graphql`,
    REST_ADAPTER_URL: `http://127.0.0.1:${ports.rest}`,
    STRATA_STOP_TIMEOUT_MS: '5000',
    ...extra,
  });
  const child = spawnTsx(path.join(LAUNCHER_DIR, 'src/main.ts'), [], env);
  return { child, out: watchOutput(child) };
}

const allPorts = (p: Ports) => Object.values(p) as number[];

async function runState(dataDir: string): Promise<RunState> {
  const s = await RunStateFile.read(dataDir);
  if (!s) throw new Error('no launcher.json');
  return s;
}

function postmasterPid(dataDir: string): number {
  return Number.parseInt(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
}

describe('launcher (pnpm start) with stand-in services', () => {
  it('starts everything in order, passes the environment, and Ctrl-C leaves no process behind', async () => {
    const dataDir = path.join(base, 'clean');
    const ports = await randomPorts();
    const l = launch(dataDir, ports);
    await l.out.waitFor(/Strata is ready on http:\/\/localhost:(\d+)/);
    const text = l.out.text;
    // subgraphs ready before the REST adapter starts, which is ready before the gateway starts
    expect(text.indexOf('inventory, branching, history, auth ready')).toBeLessThan(text.indexOf('starting rest-adapter'));
    expect(text.indexOf('rest-adapter ready')).toBeLessThan(text.indexOf('starting gateway'));
    expect(text).toMatch(/\[inventory\]\s+inventory listening/);

    const info = (await (await fetch(`http://127.0.0.1:${ports.gateway}/api/info`)).json()) as { env: { DATABASE_URL: boolean; STRATA_CONTEXT_SECRET: number } };
    expect(info.env).toEqual({ DATABASE_URL: true, STRATA_CONTEXT_SECRET: 43 });
    const secretFile = path.join(dataDir, 'context-secret');
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);

    const state = await runState(dataDir);
    const children = Object.values(state.children).map((c) => c.pid);
    expect(children).toHaveLength(6);
    const pgPid = postmasterPid(dataDir);
    expect(isAlive(pgPid)).toBe(true);

    // a second launcher on the same data directory refuses to start and leaves the first alone
    const second = launch(dataDir, await randomPorts());
    expect((await second.out.exit).code).toBe(1);
    expect(second.out.text).toMatch(/already running from .* \(launcher pid \d+\)/);
    expect((await runState(dataDir)).pid).toBe(state.pid);

    l.child.kill('SIGINT');
    expect(await l.out.exit).toEqual({ code: 0, signal: null });
    for (const pid of [...children, pgPid]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const port of allPorts(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'launcher.json'))).toBe(false);

    // second start reuses the stored secret and the initialised database
    const again = launch(dataDir, ports);
    await again.out.waitFor(/Strata is ready/);
    expect(again.out.text).not.toMatch(/generated STRATA_CONTEXT_SECRET|initialised a new PostgreSQL/);
    again.child.kill('SIGTERM');
    expect((await again.out.exit).code).toBe(0);
  });

  it('restarts a crashing service with backoff, then gives up after a crash loop: exit code 1, nothing left', { timeout: 300_000 }, async () => {
    const dataDir = path.join(base, 'crash');
    const ports = await randomPorts();
    // history exits with code 3 a second after each start was seen ready
    // a wide window: on a loaded machine five start-ups may take longer than the default minute
    const l = launch(dataDir, ports, { FIXTURE_CRASH: 'history', STRATA_RESTART_BACKOFF_MS: '200', STRATA_CRASH_LOOP_WINDOW_MS: '600000' });
    const { code } = await l.out.exit;
    expect(code).toBe(1);
    const text = l.out.text;
    expect(text).toMatch(/Strata is ready/);
    expect(text).toMatch(/history exited unexpectedly \(code 3\)/);
    // exponential backoff between the restarts
    const delays = [...text.matchAll(/history exited unexpectedly \(code 3\): restarting it in ([\d.]+) s/g)].map((m) => Number(m[1]));
    expect(delays).toEqual([0.2, 0.4, 0.8, 1.6]);
    expect(text).toMatch(/history is back after restart 1/);
    expect(text).toMatch(/history exited unexpectedly \(code 3\) and crashed 5 times within 600 s: giving up on history \(crash loop\), stopping everything/);
    for (const port of allPorts(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'launcher.json'))).toBe(false);
  });

  it('restarts a service killed with SIGKILL (a subgraph, the gateway) and leaves the others alone', { timeout: 180_000 }, async () => {
    const dataDir = path.join(base, 'restart');
    const ports = await randomPorts();
    const l = launch(dataDir, ports, { STRATA_RESTART_BACKOFF_MS: '300' });
    await l.out.waitFor(/Strata is ready/);
    const before = (await runState(dataDir)).children;
    const pgPid = postmasterPid(dataDir);

    for (const [name, port, path_] of [
      ['inventory', ports.inventory, '/health'],
      ['gateway', ports.gateway, '/api/info'],
    ] as const) {
      const old = before[name]!.pid;
      process.kill(old, 'SIGKILL');
      await l.out.waitFor(new RegExp(`${name} exited unexpectedly \\(signal SIGKILL\\): restarting it in 0\\.3 s`));
      await l.out.waitFor(new RegExp(`${name} is back after restart 1`));
      const now = (await runState(dataDir)).children[name]!.pid;
      expect(now).not.toBe(old);
      expect(isAlive(old)).toBe(false);
      expect(isAlive(now)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}${path_}`)).status).toBe(200);
    }
    // the others were left alone
    const after = (await runState(dataDir)).children;
    for (const name of ['branching', 'history', 'auth', 'rest-adapter']) expect(after[name]!.pid).toBe(before[name]!.pid);

    l.child.kill('SIGINT');
    expect(await l.out.exit).toEqual({ code: 0, signal: null });
    for (const pid of [...Object.values(after).map((c) => c.pid), pgPid]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const port of allPorts(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'launcher.json'))).toBe(false);
  });

  it('Ctrl-C while a restart is pending stops everything and cancels the restart', { timeout: 180_000 }, async () => {
    const dataDir = path.join(base, 'pending');
    const ports = await randomPorts();
    const l = launch(dataDir, ports, { STRATA_RESTART_BACKOFF_MS: '60000' });
    await l.out.waitFor(/Strata is ready/);
    const children = (await runState(dataDir)).children;
    process.kill(children.auth!.pid, 'SIGKILL');
    await l.out.waitFor(/auth exited unexpectedly \(signal SIGKILL\): restarting it in 60 s/);
    l.child.kill('SIGINT');
    expect(await l.out.exit).toEqual({ code: 0, signal: null });
    expect(l.out.text).not.toMatch(/restarting auth/);
    for (const c of Object.values(children)) expect(isAlive(c.pid), `pid ${c.pid}`).toBe(false);
    for (const port of allPorts(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });

  it('stops everything with exit code 1 when the embedded PostgreSQL dies', { timeout: 180_000 }, async () => {
    const dataDir = path.join(base, 'pg-dies');
    const ports = await randomPorts();
    const l = launch(dataDir, ports);
    await l.out.waitFor(/Strata is ready/);
    const children = Object.values((await runState(dataDir)).children).map((c) => c.pid);
    process.kill(postmasterPid(dataDir), 'SIGKILL');
    expect((await l.out.exit).code).toBe(1);
    expect(l.out.text).toMatch(/the embedded PostgreSQL exited unexpectedly \(signal SIGKILL\): stopping everything/);
    for (const pid of children) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    for (const port of allPorts(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });

  it('refuses a malformed restart setting, naming it', async () => {
    const l = launch(path.join(base, 'bad-setting'), await randomPorts(), { STRATA_CRASH_LOOP_LIMIT: 'often' });
    expect((await l.out.exit).code).toBe(1);
    expect(l.out.text).toMatch(/STRATA_CRASH_LOOP_LIMIT must be a positive integer, got often/);
  });

  it('refuses to start when a service port is taken, naming the port', async () => {
    const dataDir = path.join(base, 'busy');
    const ports = await randomPorts();
    const blocker = (await import('node:net')).createServer();
    await new Promise<void>((r) => blocker.listen(ports.auth, '127.0.0.1', () => r()));
    try {
      const l = launch(dataDir, ports);
      expect((await l.out.exit).code).toBe(1);
      expect(l.out.text).toMatch(new RegExp(`port ${ports.auth} \\(auth\\) is in use`));
    } finally {
      blocker.close();
    }
  });

  it('when the launcher is SIGKILLed its services and database stop by themselves', async () => {
    const dataDir = path.join(base, 'killed');
    const ports = await randomPorts();
    const l = launch(dataDir, ports);
    await l.out.waitFor(/Strata is ready/);
    const children = Object.values((await runState(dataDir)).children).map((c) => c.pid);
    const pgPid = postmasterPid(dataDir);
    l.child.kill('SIGKILL');
    await eventually(() => [...children, pgPid].every((p) => !isAlive(p)), 30_000, 'children and postgres to exit');
  });

  it('the next start recovers from a SIGKILLed launcher whose services are still holding their ports', async () => {
    const dataDir = path.join(base, 'recover');
    const ports = await randomPorts();
    const l = launch(dataDir, ports);
    await l.out.waitFor(/Strata is ready/);
    const children = Object.values((await runState(dataDir)).children).map((c) => c.pid);
    // frozen services cannot notice their parent's death: they keep their ports
    for (const pid of children) process.kill(pid, 'SIGSTOP');
    l.child.kill('SIGKILL');
    await l.out.exit;
    expect(await isPortFree(ports.inventory)).toBe(false);

    const next = launch(dataDir, ports);
    await next.out.waitFor(/Strata is ready/);
    expect(next.out.text).toMatch(/stopping services left over from a previous run/);
    for (const pid of children) expect(isAlive(pid)).toBe(false);
    next.child.kill('SIGINT');
    expect((await next.out.exit).code).toBe(0);
    for (const port of allPorts(ports)) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });
});
