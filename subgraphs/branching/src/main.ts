// Process entry point of the branching service (`node --import tsx src/main.ts`).
import { runService } from '@strata/shared';
import { start } from './server.ts';

runService('branching', () => start(process.env));
