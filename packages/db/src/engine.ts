// Loads Prisma's schema engine compiled to WebAssembly (no native binary, nothing downloaded)
// and runs one engine session against a driver-adapter factory.
// The wasm ships inside the `prisma` package (build/schema_engine_bg.wasm, the engine that
// prisma CLI itself was built with); the wasm-bindgen JS glue comes from
// `@prisma/schema-engine-wasm` (pinned exactly: it is internal to Prisma).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

export type { SchemaEngine };
export type {
  MigrationList,
  SchemaFilter,
  ApplyMigrationsOutput,
  DiffResult,
} from '@prisma/schema-engine-wasm/schema_engine_bg';

const require = createRequire(import.meta.url);

/** The engine wasm: `STRATA_SCHEMA_ENGINE_WASM` or the one inside the installed `prisma` package. */
export function schemaEngineWasmPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATA_SCHEMA_ENGINE_WASM) return env.STRATA_SCHEMA_ENGINE_WASM;
  return path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm');
}

/** The engine could not be loaded or started (as opposed to a command failing). */
export class EngineStartError extends Error {
  constructor(cause: unknown) {
    super(`Prisma schema engine (wasm) failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EngineStartError';
  }
}

/**
 * The glue's exports are the wasm's imports. Timers the engine starts (e.g. its 10 s advisory
 * lock timeout, never cleared) are unref'd so they cannot keep a finished process alive.
 */
function engineImports(): WebAssembly.ModuleImports {
  const imports: WebAssembly.ModuleImports = { ...(glue as unknown as WebAssembly.ModuleImports) };
  for (const key of Object.keys(imports)) {
    if (key.startsWith('__wbg_setTimeout_')) {
      imports[key] = (fn: () => void, ms: number) => {
        const t = setTimeout(fn, ms >>> 0);
        t.unref();
        return t;
      };
    }
  }
  return imports;
}

let loaded: Promise<typeof glue> | undefined;

/** Instantiates the wasm once per process and wires it to the glue module. */
export function loadSchemaEngine(): Promise<typeof glue> {
  loaded ??= (async () => {
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
    // the glue reports Rust panics through this global (prisma CLI installs the same shape)
    if (!g.PRISMA_WASM_PANIC_REGISTRY) {
      let message = '';
      g.PRISMA_WASM_PANIC_REGISTRY = {
        get: () => message,
        set_message: (m: string) => {
          message = `RuntimeError: ${m}`;
        },
      };
    }
    const bytes = await readFile(schemaEngineWasmPath());
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': engineImports() });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

export interface EngineLogLine {
  level?: string;
  message?: string;
  [k: string]: unknown;
}

/**
 * Starts an engine session over `factory`, runs `fn`, frees the engine. The caller owns the
 * factory's pools and must close them afterwards (the engine's advisory lock lives on them).
 */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodels: Array<[string, string]> | undefined,
  fn: (engine: SchemaEngine) => Promise<T>,
  onLog?: (line: EngineLogLine) => void,
): Promise<T> {
  const mod = await loadSchemaEngine().catch((err: unknown) => {
    throw new EngineStartError(err);
  });
  const log = (raw: unknown) => {
    if (!onLog) return;
    try {
      onLog(typeof raw === 'string' ? (JSON.parse(raw) as EngineLogLine) : (raw as EngineLogLine));
    } catch {
      onLog({ message: String(raw) });
    }
  };
  let engine: SchemaEngine;
  try {
    engine = await mod.SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(factory));
  } catch (err) {
    throw new EngineStartError(err);
  }
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}
