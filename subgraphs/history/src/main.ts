// Process entry point of the history service (`node --import tsx src/main.ts`).
import { runService } from '@strata/shared';
import { start } from './server.ts';

runService('history', () => start(process.env));
