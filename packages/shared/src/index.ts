// Public surface of @strata/shared: request context, errors, time parsing, config, logging,
// Postgres helpers, the subgraph bootstrap and the event bus.
export * from './errors.ts';
export * from './time.ts';
export * from './context.ts';
export * from './config.ts';
export * from './logger.ts';
export * from './pg.ts';
export * from './subgraph-server.ts';
export * from './internal-client.ts';
export * from './events.ts';
export * from './sdl.ts';
export * from './bus/index.ts';
export * from './scalars.ts';
export * from './run-service.ts';
export * from './jwt.ts';
export * from './session-cookies.ts';
export * from './client-address.ts';
export * from './regex-guard.ts';
export * from './internal/participant-protocol.ts';
export * from './internal/internal-route.ts';
export * from './internal/branch-meta.ts';
export * from './authorization.ts';
export * from './lookups.ts';
