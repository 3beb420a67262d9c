// `<data dir>/launcher.json`: the running launcher's pid and its children's pids. A launcher that
// was SIGKILLed leaves it behind; the next start uses it to stop leftover services that still
// hold their ports, and to refuse to start twice on the same data directory.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { commandLine, isAlive, terminate } from './processes.ts';

export const RUN_STATE_FILE = 'launcher.json';

const RunStateSchema = z.object({
  pid: z.number().int(),
  startedAt: z.string(),
  children: z.record(z.string(), z.object({ pid: z.number().int(), entry: z.string() })),
});
export type RunState = z.infer<typeof RunStateSchema>;

export class RunStateFile {
  private state: RunState;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, RUN_STATE_FILE);
    this.state = { pid: process.pid, startedAt: new Date().toISOString(), children: {} };
  }

  static async read(dataDir: string): Promise<RunState | undefined> {
    try {
      const parsed = RunStateSchema.safeParse(JSON.parse(await fs.readFile(path.join(dataDir, RUN_STATE_FILE), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async addChild(name: string, pid: number, entry: string): Promise<void> {
    this.state.children[name] = { pid, entry };
    await this.write();
  }

  async removeChild(name: string): Promise<void> {
    delete this.state.children[name];
    await this.write();
  }

  async write(): Promise<void> {
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    await fs.rename(tmp, this.file);
  }

  async remove(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}

/**
 * Refuses to run next to a live launcher on the same data dir; stops the services a dead one
 * left behind (matched by pid AND command line, so a recycled pid is never killed).
 */
export async function recoverPreviousRun(dataDir: string, log: (line: string) => void): Promise<void> {
  const prev = await RunStateFile.read(dataDir);
  if (!prev) return;
  if (prev.pid !== process.pid && isAlive(prev.pid) && /launcher/.test(commandLine(prev.pid) ?? 'launcher')) {
    throw new Error(`Strata is already running from ${dataDir} (launcher pid ${prev.pid}). Stop it first, or use another STRATA_DATA_DIR.`);
  }
  const leftovers = Object.entries(prev.children).filter(([, c]) => isAlive(c.pid) && (commandLine(c.pid) ?? '').includes(c.entry));
  if (leftovers.length) {
    log(`stopping services left over from a previous run: ${leftovers.map(([n, c]) => `${n} (pid ${c.pid})`).join(', ')}`);
    await terminate(
      leftovers.map(([, c]) => c.pid),
      { signal: 'SIGTERM', timeoutMs: 10_000, group: true },
    );
  }
  await fs.rm(path.join(dataDir, RUN_STATE_FILE), { force: true });
}
