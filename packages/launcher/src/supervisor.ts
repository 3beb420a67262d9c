// Runs the service processes of `pnpm start`: spawns each one (`node --import tsx`, in its own
// process group, with a parent-death guard preloaded), prefixes its output with its name, waits
// until it answers over HTTP, restarts a service that crashes after it was ready (exponential
// backoff, crash-loop limit: restart-policy.ts) and stops them (SIGTERM to the group, SIGKILL
// after a timeout).
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isAlive, signalGroup, sleep, waitForExit } from './processes.ts';
import { describeExit, RestartPolicy, seconds, type RestartPolicyOptions } from './restart-policy.ts';
import type { RunStateFile } from './run-state.ts';
import type { ServiceName, ServiceSpec } from './services.ts';

const COLORS: Record<ServiceName, string> = {
  inventory: '\x1b[36m',
  branching: '\x1b[35m',
  history: '\x1b[33m',
  auth: '\x1b[32m',
  'rest-adapter': '\x1b[34m',
  gateway: '\x1b[1;37m',
};
const RESET = '\x1b[0m';
const NAME_WIDTH = Math.max(...Object.keys(COLORS).map((n) => n.length), 'launcher'.length, 'postgres'.length);

export interface Prefixer {
  line(name: string, text: string, stream?: 'out' | 'err'): void;
}

export function createPrefixer(out: Writable = process.stdout, err: Writable = process.stderr): Prefixer {
  const color = Boolean((out as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR;
  return {
    line(name, text, stream = 'out') {
      const label = `[${name}]`.padEnd(NAME_WIDTH + 2);
      const c = COLORS[name as ServiceName] ?? '\x1b[2m';
      (stream === 'err' ? err : out).write(`${color ? `${c}${label}${RESET}` : label} ${text}\n`);
    },
  };
}

/** node arguments that run a TypeScript entry point with tsx and the parent-death guard. */
export function nodeArgsFor(entry: string): string[] {
  return ['--import', import.meta.resolve('tsx'), '--import', new URL('./child-guard.ts', import.meta.url).href, entry];
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<void>;
}

/** What the supervisor keeps per service across restarts. */
interface Supervised {
  spec: ServiceSpec;
  env: NodeJS.ProcessEnv;
  policy: RestartPolicy;
  /** answered its ready check at least once: from then on a crash means restart, not "start failed" */
  ready: boolean;
  restarts: number;
  timer?: NodeJS.Timeout;
}

export interface SupervisorOptions {
  prefixer: Prefixer;
  runState?: RunStateFile;
  /**
   * A child exited while we are not stopping and will not be restarted (it never was ready, no
   * restart policy, or a crash loop): `message` says which service, how it exited and why.
   */
  onUnexpectedExit: (name: ServiceName, message: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** restart services that crash after they were ready (unset: every unexpected exit is fatal) */
  restart?: RestartPolicyOptions;
  /** how long a restarted service gets to answer its ready check (default 5 min) */
  readyTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace period (default 10 s) */
  stopTimeoutMs?: number;
  cwd?: string;
}

export class Supervisor {
  private readonly running = new Map<ServiceName, Running>();
  private readonly supervised = new Map<ServiceName, Supervised>();
  private readonly stopAbort = new AbortController();
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {}

  private log(line: string, stream: 'out' | 'err' = 'out'): void {
    this.opts.prefixer.line('launcher', line, stream);
  }

  get pids(): number[] {
    return [...this.running.values()].map((r) => r.child.pid!).filter(Boolean);
  }

  async start(spec: ServiceSpec, env: NodeJS.ProcessEnv): Promise<void> {
    if (this.stopping) throw new Error('shutting down');
    if (!this.supervised.has(spec.name)) this.supervised.set(spec.name, { spec, env, policy: new RestartPolicy(this.opts.restart), ready: false, restarts: 0 });
    const child = spawn(process.execPath, nodeArgsFor(spec.entry), {
      cwd: this.opts.cwd ?? process.cwd(),
      env,
      detached: true, // own process group: Ctrl-C reaches the launcher only, which stops us in order
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve();
        if (this.running.get(spec.name)?.child !== child) return;
        this.running.delete(spec.name);
        void this.opts.runState?.removeChild(spec.name).catch(() => undefined);
        if (this.stopping) return;
        // what the service may have left in its group would hold its port against the restart
        if (child.pid) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* group is empty */
          }
        }
        this.crashed(spec.name, code, signal);
      });
    });
    child.once('error', (err) => this.opts.prefixer.line('launcher', `${spec.name} could not be started: ${err.message}`, 'err'));
    this.pipe(spec.name, child.stdout, 'out');
    this.pipe(spec.name, child.stderr, 'err');
    this.running.set(spec.name, { spec, child, exited });
    if (child.pid) await this.opts.runState?.addChild(spec.name, child.pid, spec.entry);
  }

  /** An unexpected exit: restart with backoff, or report it (never ready, no policy, crash loop). */
  private crashed(name: ServiceName, code: number | null, signal: NodeJS.Signals | null): void {
    const s = this.supervised.get(name)!;
    const how = describeExit(code, signal);
    if (!this.opts.restart || !s.ready) {
      this.opts.onUnexpectedExit(name, `${name} exited unexpectedly (${how}): stopping everything`, code, signal);
      return;
    }
    const decision = s.policy.crashed();
    const window = seconds(s.policy.opts.windowMs);
    if (decision.action === 'give-up') {
      this.opts.onUnexpectedExit(
        name,
        `${name} exited unexpectedly (${how}) and crashed ${decision.crashes} times within ${window}: giving up on ${name} (crash loop), stopping everything`,
        code,
        signal,
      );
      return;
    }
    this.log(
      `${name} exited unexpectedly (${how}): restarting it in ${seconds(decision.delayMs)} (crash ${decision.crashes} within ${window}; the launcher gives up at ${s.policy.opts.maxCrashes})`,
      'err',
    );
    s.timer = setTimeout(() => void this.restart(s), decision.delayMs);
  }

  private async restart(s: Supervised): Promise<void> {
    s.timer = undefined;
    if (this.stopping) return;
    const name = s.spec.name;
    const startedAt = Date.now();
    s.restarts++;
    try {
      this.log(`restarting ${name} (restart ${s.restarts})`);
      await this.start(s.spec, s.env);
    } catch (err) {
      if (this.stopping) return;
      this.opts.onUnexpectedExit(name, `${name} could not be restarted (${(err as Error).message}): stopping everything`, null, null);
      return;
    }
    const r = this.running.get(name);
    try {
      // its own /health: the gateway's first-start check (/api/info) also needs the REST adapter
      // and branching, and a restarted gateway must not be killed because one of those is down
      await this.waitReady(name, this.opts.readyTimeoutMs ?? 300_000, this.stopAbort.signal, '/health');
      this.log(`${name} is back after restart ${s.restarts} (ready in ${seconds(Date.now() - startedAt)})`);
    } catch (err) {
      if (this.stopping) return;
      // exited before it was ready: the exit was counted as a crash already; a hung start is killed (and counted)
      if (r?.child.pid && this.running.get(name) === r) {
        this.log(`${(err as Error).message}: killing it`, 'err');
        signalGroup(r.child.pid, 'SIGKILL');
      }
    }
  }

  private pipe(name: string, stream: Readable | null, kind: 'out' | 'err'): void {
    if (!stream) return;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (l) => this.opts.prefixer.line(name, l, kind));
  }

  /** Resolves once `GET http://127.0.0.1:<port><readyPath>` answers; rejects if the child exits first. */
  async waitReady(name: ServiceName, timeoutMs: number, abort?: AbortSignal, readyPath?: string): Promise<void> {
    const r = this.running.get(name);
    if (!r) throw new Error(`${name} is not running`);
    const path = readyPath ?? r.spec.readyPath;
    const url = `http://127.0.0.1:${r.spec.port}${path}`;
    let gone = false;
    void r.exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (abort?.aborted) throw new Error('shutting down');
      if (gone) throw new Error(`${name} exited before it was ready`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer().catch(() => undefined);
        // /health may be missing on a service (404 still proves it listens); /api/info must answer 200
        if (res.ok || (path === '/health' && res.status < 500)) {
          const s = this.supervised.get(name);
          if (s && this.running.get(name) === r) s.ready = true;
          return;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${name} did not answer ${url} within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(200);
    }
  }

  /** Stops the given services (all when omitted) in parallel: SIGTERM, then SIGKILL after the timeout. */
  async stop(names?: ServiceName[]): Promise<void> {
    const targets = [...this.running.values()].filter((r) => !names || names.includes(r.spec.name));
    const timeout = this.opts.stopTimeoutMs ?? 10_000;
    await Promise.all(
      targets.map(async (r) => {
        const pid = r.child.pid;
        if (!pid) return;
        signalGroup(pid, 'SIGTERM');
        const done = await Promise.race([r.exited.then(() => true), sleep(timeout).then(() => false)]);
        if (!done) {
          this.opts.prefixer.line('launcher', `${r.spec.name} did not stop within ${timeout / 1000} s: killing it`, 'err');
          signalGroup(pid, 'SIGKILL');
          await Promise.race([r.exited, sleep(5000)]);
        }
        // grandchildren the service may have left in its group (group only: the pid may be recycled)
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* group is empty */
        }
        if (isAlive(pid)) await waitForExit([pid], 2000);
      }),
    );
  }

  /** Marks the supervisor as stopping (exits are expected from now on) and stops in the given stage order. */
  async stopAll(stages: ServiceName[][]): Promise<void> {
    this.halt();
    for (const stage of stages) await this.stop(stage);
    await this.stop();
  }

  /** From now on exits are expected: no more restarts, pending ones are dropped. */
  private halt(): void {
    this.stopping = true;
    this.stopAbort.abort();
    for (const s of this.supervised.values()) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = undefined;
    }
  }

  /** Last resort on a second Ctrl-C: SIGKILL every group now. */
  killAll(): void {
    this.halt();
    for (const r of this.running.values()) if (r.child.pid) signalGroup(r.child.pid, 'SIGKILL');
  }
}
