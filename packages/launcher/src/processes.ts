// Small process and port helpers for the launcher (Linux /proc aware, portable fallbacks):
// liveness, command lines, waiting for exit, killing process groups, free-port probing.
import fs from 'node:fs';
import net from 'node:net';

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a zombie still answers kill(0); treat it as gone
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

/** The command line of a process (argv joined by spaces), or undefined if unknown/gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** Processes whose working directory is `dir` (Postgres backends chdir into their data dir). */
export function processesWithCwd(dir: string): number[] {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return [];
  }
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/cwd`) === real) found.push(pid);
    } catch {
      /* gone or not ours */
    }
  }
  return found;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves true when every pid is gone, false on timeout. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((p) => !isAlive(p))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

/** Sends a signal to a process group (negative pid), falling back to the single process. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    /* not a group leader */
  }
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Polite then forceful: `signal`, wait, SIGKILL. Resolves once all are gone. */
export async function terminate(pids: number[], opts: { signal?: NodeJS.Signals; timeoutMs?: number; group?: boolean } = {}): Promise<void> {
  const send = opts.group ? signalGroup : signalProcess;
  const alive = pids.filter(isAlive);
  if (!alive.length) return;
  for (const p of alive) {
    send(p, opts.signal ?? 'SIGTERM');
    send(p, 'SIGCONT'); // a stopped process handles nothing until continued
  }
  if (await waitForExit(alive, opts.timeoutMs ?? 10_000)) return;
  for (const p of alive) send(p, 'SIGKILL');
  await waitForExit(alive, 5_000);
}

/** True when nothing listens on host:port (we can bind it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Pids listening on a TCP port (Linux: /proc/net/tcp{,6} inodes matched to /proc/<pid>/fd). */
export function listenersOf(port: number): number[] {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A = LISTEN
      if (Number.parseInt(local.split(':')[1] ?? '', 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  if (!inodes.size) return [];
  const pids: number[] = [];
  for (const e of safeReaddir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    for (const fd of safeReaddir(`/proc/${e}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${e}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) {
          pids.push(Number(e));
          break;
        }
      } catch {
        /* raced */
      }
    }
  }
  return pids;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
