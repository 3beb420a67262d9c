// Embedded PostgreSQL for `pnpm test` when DATABASE_URL is not set (docs/api.md#commands).
export async function startEmbeddedForTests(): Promise<{ url: string; stop(): Promise<void> }> {
  const mod = await import('@strata/launcher/embedded-postgres').catch(() => null);
  if (!mod) {
    // Launcher not ready yet: fall back to the local server.
    return { url: 'postgresql://postgres@127.0.0.1:5432/postgres', stop: async () => {} };
  }
  const pg = await mod.startEmbeddedPostgres({ dataDir: `.strata/test-pg-${process.pid}`, ephemeral: true });
  return { url: pg.url, stop: () => pg.stop() };
}
