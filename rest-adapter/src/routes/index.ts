// The REST route table (CONTRACT §8). Later issues add their routes here: schema, diff, query,
// artifact, storage, auth.
import { infoRoute } from './info.ts';
import type { RouteDef } from './types.ts';

export const apiRoutes: RouteDef[] = [infoRoute];

export { defineRoute, type RouteDef, type RouteContext, type RouteResult } from './types.ts';
