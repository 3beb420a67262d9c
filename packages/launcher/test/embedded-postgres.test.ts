// Embedded PostgreSQL: start/query/stop, ephemeral cleanup, restarts after a crashed server, a
// SIGKILLed owner (watchdog stops the server; the next start recovers leftovers), port and
// directory errors.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded-postgres.ts';
import { isAlive } from '../src/processes.ts';
import { eventually, LAUNCHER_DIR, spawnTsx, watchdogsFor, watchOutput } from './helpers.ts';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-epg-'));
fs.chmodSync(base, 0o755);
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

function startOwner(dataDir: string) {
  const child = spawnTsx(path.join(LAUNCHER_DIR, 'test/fixtures/pg-owner.ts'), [dataDir]);
  const out = watchOutput(child);
  return { child, out, info: out.waitFor(/^\{.*\}$/m).then((m) => JSON.parse(m[0]) as { pid: number; url: string; port: number }) };
}

describe('embedded PostgreSQL', () => {
  it('starts, answers queries, creates the requested database and stops; ephemeral removes the data', async () => {
    const dir = path.join(base, 'ephemeral');
    const db = await startEmbeddedPostgres({ dataDir: dir, ephemeral: true, database: 'strata_x' });
    try {
      expect(db.port).not.toBe(5432);
      expect(db.url).toMatch(/^postgresql:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/strata_x$/);
      const [row] = await query<{ db: string; enc: string; v: string }>(
        db.url,
        "select current_database() db, current_setting('server_encoding') enc, current_setting('server_version_num') v",
      );
      expect(row).toMatchObject({ db: 'strata_x', enc: 'UTF8' });
      expect(Number(row!.v)).toBeGreaterThanOrEqual(180000);
      expect(fs.existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    } finally {
      await db.stop();
    }
    expect(isAlive(db.pid)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
    await db.stop(); // idempotent
  });

  it('keeps data across restarts and recovers from a SIGKILLed server (stale postmaster.pid)', async () => {
    const dir = path.join(base, 'crash');
    const first = await startEmbeddedPostgres({ dataDir: dir });
    await query(first.url, 'create table kept (v text); insert into kept values ($$before crash$$)');
    process.kill(first.pid, 'SIGKILL');
    await eventually(() => !isAlive(first.pid), 10_000, 'postmaster gone');
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir: dir });
    try {
      expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'before crash' }]);
    } finally {
      await second.stop();
    }
    expect(fs.existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'postmaster.pid'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops the server when its owner process is SIGKILLed (watchdog)', async () => {
    const dir = path.join(base, 'owner-killed');
    const owner = startOwner(dir);
    const info = await owner.info;
    expect(isAlive(info.pid)).toBe(true);
    owner.child.kill('SIGKILL');
    await eventually(() => !isAlive(info.pid), 20_000, 'postmaster stopped by the watchdog');
    await eventually(() => watchdogsFor(dir).length === 0, 5_000, 'watchdog gone');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('next start stops a server left running by a SIGKILLed owner and starts cleanly', async () => {
    const dir = path.join(base, 'leftover');
    const owner = startOwner(dir);
    const info = await owner.info;
    // no watchdog this time: the server stays up, holding its port and postmaster.pid
    for (const w of watchdogsFor(dir)) process.kill(w, 'SIGKILL');
    owner.child.kill('SIGKILL');
    await owner.out.exit;
    expect(isAlive(info.pid)).toBe(true);

    const db = await startEmbeddedPostgres({ dataDir: dir, onLog: () => undefined });
    try {
      expect(isAlive(info.pid)).toBe(false);
      expect(await query(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await db.stop();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a data dir whose owner is still running', async () => {
    const dir = path.join(base, 'busy');
    const owner = startOwner(dir);
    await owner.info;
    try {
      await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(/in use by process/);
    } finally {
      owner.child.kill('SIGTERM');
      await owner.out.exit;
      await eventually(() => watchdogsFor(dir).length === 0, 20_000, 'watchdog stopped the server');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an explicitly requested port that is busy', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      await expect(startEmbeddedPostgres({ dataDir: path.join(base, 'port'), ephemeral: true, port })).rejects.toThrow(new RegExp(`Port ${port} .* in use`));
    } finally {
      srv.close();
    }
  });

  it.skipIf(process.getuid?.() !== 0)('explains a data dir the postgres user cannot reach (running as root)', async () => {
    const closed = path.join(base, 'private');
    fs.mkdirSync(closed, { mode: 0o700 });
    fs.chmodSync(closed, 0o700);
    await expect(startEmbeddedPostgres({ dataDir: path.join(closed, 'pg') })).rejects.toThrow(/cannot reach .*STRATA_DATA_DIR/s);
  });

  it('refuses a non-empty directory that holds no cluster', async () => {
    const dir = path.join(base, 'not-a-cluster');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'something.txt'), 'x');
    await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(/no PG_VERSION/);
  });
});
