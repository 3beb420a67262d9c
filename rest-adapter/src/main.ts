// Process entry point of the rest-adapter service (`node --import tsx src/main.ts`).
import { runService } from '@strata/shared';
import { start } from './server.ts';

runService('rest-adapter', () => start(process.env));
