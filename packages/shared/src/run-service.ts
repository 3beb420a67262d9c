// Process entry points of every Strata service: start, close cleanly on SIGINT/SIGTERM, exit 1
// with a logged error when start fails.
import { createLogger } from './logger.ts';
import { exitOnSignals } from './subgraph-server.ts';

export function runService(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  const logger = createLogger(name);
  start()
    .then((s) => exitOnSignals(() => s.close(), logger))
    .catch((err) => {
      logger.error({ err }, `${name} failed to start`);
      process.exit(1);
    });
}
