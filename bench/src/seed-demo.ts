// `pnpm seed:demo`: loads the demo data set into a running Strata (STRATA_URL, default
// http://localhost:8000) through the public bulk mutations, with STRATA_TOKEN or the initial
// admin token from STRATA_DATA_DIR/initial-admin.json.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { scriptClient } from './client.ts';
import { DEMO_SIZE, loadDataset } from './dataset.ts';

async function token(): Promise<string> {
  if (process.env.STRATA_TOKEN) return process.env.STRATA_TOKEN;
  const file = path.join(process.env.STRATA_DATA_DIR ?? '.strata', 'initial-admin.json');
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { token?: string; api_token?: string };
    const t = parsed.token ?? parsed.api_token;
    if (t) return t;
  } catch {
    /* fall through */
  }
  throw new Error(`No token: set STRATA_TOKEN or start Strata once so that ${file} exists`);
}

const url = process.env.STRATA_URL ?? `http://localhost:${process.env.PORT ?? 8000}`;
const started = Date.now();
const request = scriptClient({ url, token: await token() });
console.log(`Loading the demo data set into ${url} ...`);
try {
  const { counts } = await loadDataset(request, DEMO_SIZE, (m) => console.log(m));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const secs = (Date.now() - started) / 1000;
  console.log(`Loaded ${total} objects in ${secs.toFixed(1)} s (${Math.round(total / secs)} objects/s).`);
} catch (err) {
  console.error(`seed:demo failed: ${(err as Error).message}`);
  process.exit(1);
}
