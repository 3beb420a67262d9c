// Entry point of the branching subgraph process (`tsx subgraphs/branching/src/main.ts`).
import { createLogger, exitOnSignals } from '@strata/shared';
import { start } from './server.ts';

const logger = createLogger('branching');
try {
  const running = await start(process.env);
  exitOnSignals(running.close, logger);
} catch (err) {
  logger.error({ err }, 'branching subgraph failed to start');
  process.exit(1);
}
