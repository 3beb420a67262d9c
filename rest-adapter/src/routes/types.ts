// The route table's vocabulary: one RouteDef per REST endpoint. The app mounts them, the
// OpenAPI document is generated from them, so a new route is one file in src/routes plus an
// entry in src/routes/index.ts.
import type { Request } from 'express';
import type { z } from 'zod';
import type { Forwarded, Operation } from '../supergraph-client.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ParamDef {
  description: string;
  required?: boolean;
  /** JSON Schema of the value (default: string) */
  schema?: Record<string, unknown>;
}

/** How the request body is read before the handler runs. */
export type BodyDef =
  | { kind: 'json'; description: string; schema?: z.ZodType; schemaName?: string; required?: boolean }
  | { kind: 'raw'; description: string; contentType: string; limit?: string };

export interface ResponseDef {
  status?: number;
  description: string;
  /** JSON answers: the body schema (validated before sending, documented in OpenAPI) */
  schema?: z.ZodType;
  /** name of the schema under components/schemas (default: PascalCase operationId) */
  schemaName?: string;
  /** non-JSON answers (files, HTML): their content type */
  contentType?: string;
}

/** A supergraph client bound to the caller's credentials and `?branch=`/`?at=`. */
export interface BoundSupergraph {
  request<T>(op: Operation, variables?: Record<string, unknown>): Promise<T>;
}

export interface RouteContext {
  req: Request;
  /** path parameters, decoded */
  params: Record<string, string>;
  /** query string values (the first one when repeated) */
  query: Record<string, string>;
  body: unknown;
  forwarded: Forwarded;
  supergraph: BoundSupergraph;
}

export interface RouteResult {
  status?: number;
  /** JSON-serialisable value, or a Buffer/string sent with `contentType` */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Set-Cookie values (added to those of the gateway's answer) */
  cookies?: string[];
}

export interface RouteDef {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/api/schema/{kind}` */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** accepts `?branch=` and `?at=` and forwards them to the gateway */
  branchAware?: boolean;
  /** requires credentials (documented; the gateway enforces it). Default true. */
  authenticated?: boolean;
  pathParams?: Record<string, ParamDef>;
  queryParams?: Record<string, ParamDef>;
  body?: BodyDef;
  response: ResponseDef;
  /** error statuses documented besides 400/401/403/500 */
  errors?: number[];
  handler(ctx: RouteContext): Promise<RouteResult>;
}

/** Helper for route modules: keeps the literal types and checks the shape. */
export function defineRoute(def: RouteDef): RouteDef {
  return def;
}
