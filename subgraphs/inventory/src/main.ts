// Process entry point of the inventory subgraph (`node --import tsx src/main.ts`).
import { createLogger, exitOnSignals } from '@strata/shared';
import { start } from './server.ts';

const logger = createLogger('inventory');
start()
  .then((s) => exitOnSignals(() => s.close(), logger))
  .catch((err) => {
    logger.error({ err }, 'inventory failed to start');
    process.exit(1);
  });
