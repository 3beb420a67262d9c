// The REST route table (docs/rest.md). Later issues add their routes here: schema, diff, query,
// artifact, storage, auth.
import { loginRoute, logoutRoute, refreshRoute } from './auth.ts';
import { diffDataRoute } from './diff.ts';
import { infoRoute } from './info.ts';
import { schemaKindRoute, schemaListRoute, schemaLoadRoute } from './schema.ts';
import { ssoRouteList } from './sso.ts';
import type { RouteDef } from './types.ts';

export const apiRoutes: RouteDef[] = [infoRoute, schemaListRoute, schemaKindRoute, schemaLoadRoute, diffDataRoute, loginRoute, refreshRoute, logoutRoute, ...ssoRouteList];

export { defineRoute, type RouteDef, type RouteContext, type RouteResult } from './types.ts';
