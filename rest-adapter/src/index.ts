// Public surface of @strata/rest-adapter for the launcher, the gateway and tests.
export { start, SERVICE, type StartOptions } from './server.ts';
export { createApp, type AppOptions } from './app.ts';
export { buildOpenApi } from './openapi.ts';
export { apiRoutes, defineRoute, type RouteDef, type RouteContext, type RouteResult } from './routes/index.ts';
export { createSupergraphClient, graphqlUrl, SupergraphError, SupergraphUnavailableError, type SupergraphClient, type Forwarded } from './supergraph-client.ts';
export { RestError } from './errors.ts';
