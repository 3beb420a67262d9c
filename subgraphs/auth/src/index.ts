// Public surface of @strata/auth for the launcher, compose and tests.
export { start, SERVICE } from './server.ts';
export { typeDefs, printSchemaSdl } from './schema/index.ts';
export { AUTHENTICATE_PATH } from './routes/internal.ts';
export { AuthenticateRequestSchema, type AuthenticateRequest } from './authenticate.ts';
export { INITIAL_ADMIN_FILE, INITIAL_ADMIN_USERNAME, INITIAL_TOKEN_NAME } from './bootstrap.ts';
