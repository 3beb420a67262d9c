// Internal HTTP endpoints for other Strata services (not part of the GraphQL schema):
//   POST /internal/authenticate     {scheme, credential} -> 200 {principal, expires} | 401 {errors}
//   POST /internal/sign-in-attempt  {client} -> 200 {ok: true} | 429 {errors, retry_after}
// Callers must send a signed context for audience `auth` whose user is a system principal.
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { contextOf, type Logger, type SubgraphServerOptions } from '@strata/shared';
import { authenticate, AuthenticateRequestSchema, type AuthenticatorDeps } from '../authenticate.ts';
import type { SignInThrottle } from '../throttle.ts';

export const AUTHENTICATE_PATH = '/internal/authenticate';
/** The gateway reports each `login`/`refresh`/`sso_callback` attempt here before it runs (per-client rate limit). */
export const SIGN_IN_ATTEMPT_PATH = '/internal/sign-in-attempt';

const SignInAttemptSchema = z.object({ client: z.string().min(1).max(512) });

type Routes = NonNullable<SubgraphServerOptions['routes']>;

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function internalRoutes(opts: { secret: string; audience: string; logger: Logger; deps: AuthenticatorDeps; throttle: SignInThrottle }): Routes {
  return (app, { requireContext }) => {
    const servicesOnly = [
      requireContext(opts.secret, opts.audience),
      (_req: Request, res: Response, next: () => void) => {
        if (contextOf(res).user?.via !== 'system') {
          fail(res, 403, 'FORBIDDEN', 'Only Strata services may call this endpoint');
          return;
        }
        next();
      },
      express.json({ limit: '16kb' }),
    ];
    app.post(SIGN_IN_ATTEMPT_PATH, ...servicesOnly, async (req: Request, res: Response) => {
      const parsed = SignInAttemptSchema.safeParse(req.body);
      if (!parsed.success) {
        fail(res, 400, 'BAD_USER_INPUT', 'Expected {client: string}');
        return;
      }
      try {
        const wait = await opts.throttle.clientAttempt(parsed.data.client);
        if (wait === null) res.json({ ok: true });
        else
          res
            .status(429)
            .set('retry-after', String(wait))
            .json({ errors: [{ message: `Too many sign-in attempts from your address: try again in ${wait} s`, extensions: { code: 'FORBIDDEN' } }], retry_after: wait });
      } catch (err) {
        opts.logger.error({ err }, 'sign-in attempt could not be counted');
        fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    });
    app.post(AUTHENTICATE_PATH, ...servicesOnly, async (req: Request, res: Response) => {
      const parsed = AuthenticateRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        fail(res, 400, 'BAD_USER_INPUT', 'Expected {scheme: "token"|"bearer"|"x-api-key", credential: string}');
        return;
      }
      try {
        const result = await authenticate(opts.deps, parsed.data);
        if (result.ok) res.json({ principal: result.principal, expires: result.expires?.toISOString() ?? null });
        else fail(res, 401, 'UNAUTHENTICATED', result.message);
      } catch (err) {
        opts.logger.error({ err }, 'authenticate failed');
        fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    });
  };
}
