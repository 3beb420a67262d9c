// Process entry point of the gateway (`node --import tsx src/main.ts`).
import { createLogger, exitOnSignals } from '@strata/shared';
import { start } from './server.ts';

const logger = createLogger('gateway');
start()
  .then((s) => exitOnSignals(() => s.close(), logger))
  .catch((err) => {
    logger.error({ err }, 'gateway failed to start');
    process.exit(1);
  });
