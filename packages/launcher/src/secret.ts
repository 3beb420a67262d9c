// STRATA_CONTEXT_SECRET for `pnpm start`: the environment's value, else one generated on first
// start and kept (0600) in the data directory so restarts keep signing with the same key.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const SECRET_FILE = 'context-secret';
const MIN_LENGTH = 32;

export async function loadContextSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ secret: string; source: 'env' | 'file' | 'generated' }> {
  const fromEnv = env.STRATA_CONTEXT_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_LENGTH) throw new Error(`STRATA_CONTEXT_SECRET must be at least ${MIN_LENGTH} characters`);
    return { secret: fromEnv, source: 'env' };
  }
  const file = path.join(dataDir, SECRET_FILE);
  try {
    const stored = (await fs.readFile(file, 'utf8')).trim();
    if (stored.length >= MIN_LENGTH) return { secret: stored, source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  await fs.mkdir(dataDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${secret}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
  return { secret, source: 'generated' };
}
