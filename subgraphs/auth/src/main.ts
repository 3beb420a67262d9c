// Entry point of the auth subgraph process (`tsx subgraphs/auth/src/main.ts`).
import { createLogger, exitOnSignals } from '@strata/shared';
import { start } from './server.ts';

const logger = createLogger('auth');
try {
  const running = await start(process.env);
  exitOnSignals(running.close, logger);
} catch (err) {
  logger.error({ err }, 'auth subgraph failed to start');
  process.exit(1);
}
