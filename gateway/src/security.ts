// HTTP hardening at the gateway (the one public origin, docs/api.md#paths): security headers on every
// answer (also the proxied REST ones, unless the REST adapter sets its own) and CORS, closed by
// default (same-origin only). STRATA_CORS_ORIGINS lists the origins allowed to call the API from
// a browser (`https://a.example,https://b.example`, or `*` for any origin without cookies).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import cors from 'cors';
import { cookieSecure } from '@strata/shared';

const BASE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/** Headers for every answer; HSTS only when the browser reached us over HTTPS. */
export function securityHeaders(env: NodeJS.ProcessEnv): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    for (const [k, v] of Object.entries(BASE_HEADERS)) res.setHeader(k, v);
    if (cookieSecure({ STRATA_COOKIE_SECURE: 'auto' }, req) && env.STRATA_HSTS !== 'false') res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

export function corsOrigins(env: NodeJS.ProcessEnv): string[] {
  return (env.STRATA_CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

/**
 * CORS for browsers on other origins. Listed origins may send credentials (cookies still need
 * their CSRF token, which another origin cannot read); `*` allows any origin without credentials.
 */
export function corsMiddleware(env: NodeJS.ProcessEnv): RequestHandler {
  const origins = corsOrigins(env);
  const any = origins.includes('*');
  return cors({
    origin: (origin, cb) => cb(null, origin !== undefined && (any || origins.includes(origin)) ? origin : false),
    credentials: !any,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-csrf-token', 'x-request-id', 'apollo-require-preflight'],
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
}
