// generateClient: `prisma generate` for one schema.prisma without any download. Prisma 7's
// `prisma-client` generator needs no engine, but the CLI first tries to fetch the native schema
// engine unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file (it is never executed).
// Telemetry/update checks are switched off so nothing touches the network.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MigrationLogger } from './types.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export function prismaCliPath(): string {
  return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
}

/** Env for running the prisma CLI offline. */
export function offlinePrismaEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY || (existsSync('/bin/true') ? '/bin/true' : process.execPath),
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_DISABLE_WARNINGS: env.PRISMA_DISABLE_WARNINGS ?? '1',
  };
}

export interface GenerateOptions {
  /** Path of the `schema.prisma` to generate a client for. */
  schemaPath: string;
  logger?: MigrationLogger;
}

/**
 * Runs `prisma generate --schema <schemaPath>` with the subgraph folder (parent of `prisma/`)
 * as working directory; the client goes where the generator's `output` says
 * (convention: `src/generated/prisma`, gitignored).
 */
export async function generateClient(opts: GenerateOptions): Promise<void> {
  const schemaPath = path.resolve(opts.schemaPath);
  if (!existsSync(schemaPath)) throw new Error(`generateClient: ${schemaPath} not found`);
  const cwd = path.dirname(path.dirname(schemaPath));
  try {
    const { stdout } = await run(process.execPath, [prismaCliPath(), 'generate', '--schema', schemaPath], {
      cwd,
      env: offlinePrismaEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = stdout.split('\n').find((l) => l.includes('Generated'));
    opts.logger?.info((line ?? `generated client for ${schemaPath}`).replace(/^[^A-Za-z]+/, ''));
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message?: string };
    throw new Error(`prisma generate failed for ${schemaPath}:\n${e.stderr || e.stdout || e.message}`, { cause: err });
  }
}
