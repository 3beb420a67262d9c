// CLI for `pnpm compose` (`write`) and `pnpm schema:check` (`check [--against <git-ref>]
// [--allow-breaking]`). The logic lives in supergraph.ts; `composeFromSdls` is re-exported for
// the gateway. Running the CLI only happens when this file is the entry point.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRepository, CompositionError, writeComposition } from './supergraph.ts';
import { REPO_ROOT } from './services.ts';

export { composeFromSdls, apiSchemaOf, apiSchemaSdl, CompositionError, type Composed, type SubgraphSdl } from './supergraph.ts';

const USAGE = 'usage: compose.ts write | check [--against <git-ref>] [--allow-breaking]';

export async function runCli(argv: string[], root = REPO_ROOT): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'write') {
    const res = await writeComposition(root);
    for (const h of res.hints) console.log(`hint: ${h}`);
    for (const f of res.written) console.log(`wrote ${f}`);
    if (!res.written.length) console.log(`up to date (${res.unchanged.length} files)`);
    return 0;
  }
  if (cmd === 'check') {
    let against: string | undefined;
    let allowBreaking = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--against') against = rest[++i];
      else if (rest[i] === '--allow-breaking') allowBreaking = true;
      else {
        console.error(USAGE);
        return 2;
      }
    }
    const report = await checkRepository(root, { against: against ?? process.env.STRATA_SCHEMA_BASE, allowBreaking });
    for (const n of report.notes) console.log(n);
    for (const w of report.warnings) console.warn(`warning: ${w}`);
    for (const e of report.errors) console.error(`error: ${e}`);
    console.log(report.ok ? 'schema check passed' : 'schema check FAILED');
    return report.ok ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

const isEntry = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof CompositionError || err instanceof Error ? `error: ${err.message}` : err);
      process.exit(1);
    },
  );
}
