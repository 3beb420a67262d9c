// Internal HTTP endpoints for other Strata services (not part of the GraphQL schema):
//   POST /internal/authenticate  {scheme, credential} -> 200 {principal} | 401 {errors}
// Callers must send a signed context for audience `auth` whose user is a system principal.
import express, { type Request, type Response } from 'express';
import { contextOf, type Logger, type SubgraphServerOptions } from '@strata/shared';
import { authenticate, AuthenticateRequestSchema, type AuthenticatorDeps } from '../authenticate.ts';

export const AUTHENTICATE_PATH = '/internal/authenticate';

type Routes = NonNullable<SubgraphServerOptions['routes']>;

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

export function internalRoutes(opts: { secret: string; audience: string; logger: Logger; deps: AuthenticatorDeps }): Routes {
  return (app, { requireContext }) => {
    app.post(
      AUTHENTICATE_PATH,
      requireContext(opts.secret, opts.audience),
      (_req: Request, res: Response, next) => {
        if (contextOf(res).user?.via !== 'system') {
          fail(res, 403, 'FORBIDDEN', 'Only Strata services may call this endpoint');
          return;
        }
        next();
      },
      express.json({ limit: '16kb' }),
      async (req: Request, res: Response) => {
        const parsed = AuthenticateRequestSchema.safeParse(req.body);
        if (!parsed.success) {
          fail(res, 400, 'BAD_USER_INPUT', 'Expected {scheme: "token"|"bearer"|"x-api-key", credential: string}');
          return;
        }
        try {
          const result = await authenticate(opts.deps, parsed.data);
          if (result.ok) res.json({ principal: result.principal });
          else fail(res, 401, 'UNAUTHENTICATED', result.message);
        } catch (err) {
          opts.logger.error({ err }, 'authenticate failed');
          fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        }
      },
    );
  };
}
