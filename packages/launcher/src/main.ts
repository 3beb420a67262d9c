// `pnpm start`: the whole system on http://localhost:${PORT:-8000} (docs/api.md#commands).
// Order: data dir → leftovers of a killed previous run → ports → database (DATABASE_URL or the
// embedded PostgreSQL) → context secret → subgraphs (wait for /health) → REST adapter → gateway
// (wait for /api/info). Ctrl-C / SIGTERM stops the services (gateway first), then the database.
// A service that crashes after it was ready is restarted with exponential backoff; a crash loop
// (5 crashes within 60 s by default), a service that never got ready, or the embedded PostgreSQL
// exiting brings everything down with exit code 1 (docs/operations.md, "Supervision").
import fs from 'node:fs/promises';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { ensureDatabase } from '@strata/shared/pg';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from './embedded-postgres.ts';
import { commandLine, isPortFree, listenersOf } from './processes.ts';
import { recoverPreviousRun, RunStateFile } from './run-state.ts';
import { restartPolicyFromEnv } from './restart-policy.ts';
import { loadContextSecret } from './secret.ts';
import { REPO_ROOT, resolvePorts, serviceEnv, serviceSpecs, START_STAGES, type ServiceName, type ServiceSpec } from './services.ts';
import { createPrefixer, Supervisor } from './supervisor.ts';

const prefixer = createPrefixer();
const log = (line: string) => prefixer.line('launcher', line);
const logErr = (line: string) => prefixer.line('launcher', line, 'err');

function positiveInt(raw: string | undefined, def: number): number {
  const n = Number(raw);
  return raw && Number.isInteger(n) && n > 0 ? n : def;
}

async function assertPortsFree(specs: ServiceSpec[]): Promise<void> {
  const busy: string[] = [];
  for (const s of specs) {
    if (await isPortFree(s.port)) continue;
    const who = listenersOf(s.port)
      .map((pid) => `pid ${pid} ${(commandLine(pid) ?? '').slice(0, 100)}`)
      .join('; ');
    const hint = s.name === 'gateway' ? 'set PORT' : `set ${s.name.toUpperCase().replace(/-/g, '_')}_URL to another port`;
    busy.push(`port ${s.port} (${s.name}) is in use${who ? ` by ${who}` : ''}: stop it or ${hint}`);
  }
  if (busy.length) throw new Error(busy.join('\n'));
}

/**
 * Prisma clients live in subgraphs/<name>/src/generated (not in git): generate the missing ones,
 * so `pnpm install && pnpm start` works on a fresh clone.
 */
async function ensurePrismaClients(root: string): Promise<void> {
  for (const s of ['inventory', 'branching', 'history', 'auth']) {
    const schema = path.join(root, 'subgraphs', s, 'prisma', 'schema.prisma');
    if (!existsSync(schema) || existsSync(path.join(root, 'subgraphs', s, 'src', 'generated', 'prisma'))) continue;
    log(`generating the Prisma client of ${s} (first start)`);
    const { generateClient } = await import('@strata/db/generate');
    await generateClient({ schemaPath: schema });
  }
}

async function main(): Promise<void> {
  const env = process.env;
  const dataDir = path.resolve(env.STRATA_DATA_DIR || '.strata');
  const readyTimeout = positiveInt(env.STRATA_START_TIMEOUT_MS, 300_000);
  await fs.mkdir(dataDir, { recursive: true });

  const ports = resolvePorts(env);
  // STRATA_SERVICES_ROOT: where gateway/, subgraphs/, rest-adapter/ live (tests point it at fixtures)
  const root = env.STRATA_SERVICES_ROOT ? path.resolve(env.STRATA_SERVICES_ROOT) : REPO_ROOT;
  const specs = serviceSpecs(ports, root);
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) {
    await fs.access(s.entry).catch(() => {
      throw new Error(`${s.name}: entry point ${path.relative(root, s.entry)} does not exist`);
    });
  }

  let embedded: RunningEmbeddedPostgres | undefined;
  const runState = new RunStateFile(dataDir);
  let shuttingDown: Promise<void> | undefined;
  let ownsRunState = false; // never delete the launcher.json of another, running launcher
  const aborter = new AbortController();
  let lastSignalAt = 0;

  const supervisor = new Supervisor({
    prefixer,
    runState,
    cwd: process.cwd(),
    stopTimeoutMs: positiveInt(env.STRATA_STOP_TIMEOUT_MS, 10_000),
    restart: restartPolicyFromEnv(env),
    readyTimeoutMs: readyTimeout,
    onUnexpectedExit: (_name, message) => {
      if (shuttingDown) return;
      logErr(message);
      void shutdown(1);
    },
  });

  const shutdown = (code: number): Promise<void> => {
    shuttingDown ??= (async () => {
      aborter.abort();
      log('stopping services...');
      try {
        await supervisor.stopAll([...START_STAGES].reverse());
        if (embedded) {
          log('stopping the embedded PostgreSQL...');
          await embedded.stop();
        }
        if (ownsRunState) await runState.remove();
        log('stopped');
      } catch (err) {
        logErr(`error while stopping: ${(err as Error).message}`);
        code = code || 1;
      }
      process.exit(code);
    })();
    return shuttingDown;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (shuttingDown) {
      // a second Ctrl-C (not the echo of the first one through a wrapper) forces it
      if (now - lastSignalAt > 1000) {
        logErr(`${signal} again: killing everything`);
        supervisor.killAll();
        void embedded?.stop();
      }
      return;
    }
    lastSignalAt = now;
    log(`${signal} received`);
    void shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', (err) => {
    logErr(`launcher error: ${err.stack ?? err.message}`);
    void shutdown(1);
  });
  process.on('unhandledRejection', (err) => {
    logErr(`launcher error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void shutdown(1);
  });

  try {
    await ensurePrismaClients(root);
    await recoverPreviousRun(dataDir, log);
    await runState.write();
    ownsRunState = true;
    await assertPortsFree(specs);

    let databaseUrl = env.DATABASE_URL;
    if (databaseUrl) {
      log(`database: ${redact(databaseUrl)} (DATABASE_URL)`);
      await ensureDatabase(databaseUrl).catch((err: Error) => logErr(`could not check/create the database (${err.message}); continuing`));
    } else {
      const pgDir = path.join(dataDir, 'postgres');
      log(`DATABASE_URL is not set: starting the embedded PostgreSQL (data in ${pgDir})`);
      embedded = await startEmbeddedPostgres({
        dataDir: pgDir,
        database: 'strata',
        onLog: (l) => {
          if (l.startsWith('[embedded-postgres]') || /\b(WARNING|FATAL|PANIC):/.test(l) || env.STRATA_POSTGRES_LOG === 'all')
            prefixer.line('postgres', l.replace(/^\[embedded-postgres\] /, ''));
        },
      });
      databaseUrl = embedded.url;
      log(`embedded PostgreSQL is listening on 127.0.0.1:${embedded.port} (database strata)`);
      // every service needs it: losing the database is fatal, not something to restart around
      void embedded.exited.then((how) => {
        if (shuttingDown) return;
        logErr(`the embedded PostgreSQL exited unexpectedly (${how}): stopping everything`);
        void shutdown(1);
      });
    }
    if (aborter.signal.aborted) return;

    const secret = await loadContextSecret(dataDir, env);
    if (secret.source === 'generated') log(`generated STRATA_CONTEXT_SECRET, stored in ${path.join(dataDir, 'context-secret')}`);
    if (!env.REDIS_URL) log('REDIS_URL is not set: events stay on this machine');

    const envFor = (name: ServiceName) => serviceEnv(name, { base: env, databaseUrl: databaseUrl!, contextSecret: secret.secret, dataDir, ports, launcherPid: process.pid });

    for (const stage of START_STAGES) {
      for (const name of stage) {
        const spec = byName.get(name)!;
        log(`starting ${name} on port ${spec.port}`);
        await supervisor.start(spec, envFor(name));
      }
      await Promise.all(stage.map((name) => supervisor.waitReady(name, readyTimeout, aborter.signal)));
      if (aborter.signal.aborted) return;
      log(`${stage.join(', ')} ready`);
    }
    log(`Strata is ready on http://localhost:${ports.gateway} (GraphQL: /graphql, REST: /api, docs: /api/docs). Ctrl-C stops it.`);
  } catch (err) {
    if (aborter.signal.aborted) return;
    logErr(`start failed: ${(err as Error).message}`);
    await shutdown(1);
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

main().catch((err: unknown) => {
  logErr(`start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
