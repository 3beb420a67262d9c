// Process entry points of every Strata service: start, close cleanly on SIGINT/SIGTERM, exit 1
// with a logged error when start fails.
import { createLogger } from './logger.ts';
import { exitOnSignals } from './subgraph-server.ts';

export function runService(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  // a service runs as production unless told otherwise (Express: no stack traces in answers)
  process.env.NODE_ENV ??= 'production';
  const logger = createLogger(name);
  start()
    .then((s) => exitOnSignals(() => s.close(), logger))
    .catch((err) => {
      logger.error({ err }, `${name} failed to start`);
      process.exit(1);
    });
}
