// Process entry point of the inventory service (`node --import tsx src/main.ts`).
import { runService } from '@strata/shared';
import { start } from './server.ts';

runService('inventory', () => start(process.env));
