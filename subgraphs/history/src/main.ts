// Process entry point of the history subgraph (`node --import tsx src/main.ts`).
import { createLogger, exitOnSignals } from '@strata/shared';
import { start } from './server.ts';

const logger = createLogger('history');
start()
  .then((s) => exitOnSignals(() => s.close(), logger))
  .catch((err) => {
    logger.error({ err }, 'history failed to start');
    process.exit(1);
  });
