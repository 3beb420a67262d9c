// Shared helpers of the launcher tests: spawning tsx scripts, reading their first JSON line,
// waiting for conditions, finding watchdog processes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAUNCHER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(LAUNCHER_DIR, '../..');

export function spawnTsx(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output; `waitFor` resolves when a line matches (rejects if the child exits first). */
export function watchOutput(child: ChildProcess) {
  let text = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', (b: Buffer) => {
    text += b.toString();
    check();
  });
  child.stderr?.on('data', (b: Buffer) => {
    text += b.toString();
    check();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`process exited (${code ?? signal}) before ${w.re}:\n${text}`));
      resolve({ code, signal });
    }),
  );
  return {
    get text() {
      return text;
    },
    exit,
    waitFor(re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}:\n${text}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        check();
      });
    },
  };
}

export async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pids of embedded-postgres watchdogs guarding `dataDir`. */
export function watchdogsFor(dataDir: string): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (argv.includes('strata-pg-watchdog') && argv.includes(dataDir)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}
