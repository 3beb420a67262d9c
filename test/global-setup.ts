// Vitest global setup: decides which Postgres server the test run uses (DATABASE_URL when set,
// else an embedded PostgreSQL started for the run) and exposes it as STRATA_TEST_PG_URL.
// Each test file then creates its own uniquely named database on that server (see support.ts).
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    process.env.STRATA_TEST_PG_URL = process.env.DATABASE_URL;
    return async () => {};
  }
  const { startEmbeddedForTests } = await import('./embedded.ts');
  const embedded = await startEmbeddedForTests();
  process.env.STRATA_TEST_PG_URL = embedded.url;
  return () => embedded.stop();
}
