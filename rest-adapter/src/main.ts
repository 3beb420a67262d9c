// Entry point of the REST adapter process (`tsx rest-adapter/src/main.ts`).
import { createLogger, exitOnSignals } from '@strata/shared';
import { start } from './server.ts';

const logger = createLogger('rest-adapter');
try {
  const running = await start(process.env);
  exitOnSignals(running.close, logger);
} catch (err) {
  logger.error({ err }, 'rest adapter failed to start');
  process.exit(1);
}
