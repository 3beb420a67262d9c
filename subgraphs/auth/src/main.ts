// Process entry point of the auth service (`node --import tsx src/main.ts`).
import { runService } from '@strata/shared';
import { start } from './server.ts';

runService('auth', () => start(process.env));
