// Child process for the cross-process concurrency test: applies a migrations folder and prints
// the result as JSON. Env: PRISMA_DIR, TARGET_URL, TARGET_SCHEMA.
import { applyMigrations } from '../src/index.ts';

const res = await applyMigrations({
  prismaDir: process.env.PRISMA_DIR ?? '',
  url: process.env.TARGET_URL ?? '',
  schema: process.env.TARGET_SCHEMA ?? '',
});
process.stdout.write(JSON.stringify(res));
process.exit(0);
