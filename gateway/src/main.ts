// Process entry point of the gateway service (`node --import tsx src/main.ts`).
import { runService } from '@strata/shared';
import { start } from './server.ts';

runService('gateway', () => start(process.env));
