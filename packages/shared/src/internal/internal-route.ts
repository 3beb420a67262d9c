// One way to serve an internal endpoint (service to service, never through the gateway): the
// signed-context gate for this service's audience, optionally the system principal only, the
// request body parsed with a zod schema, and the error envelope `{errors: [{message,
// extensions: {code}}]}` with the status of the code. Handlers only compute the answer.
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { RequestContext } from '../context.ts';
import { contextOf } from '../subgraph-server.ts';
import { httpStatusFor, StrataError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface InternalRouteOptions<S extends z.ZodType> {
  path: string;
  schema: S;
  /** the subgraph server's context gate (startSubgraphServer's `requireContext` helper) */
  requireContext: (secret: string, audience: string) => RequestHandler;
  secret: string;
  audience: string;
  /** only other Strata services (the system principal) may call it */
  systemOnly?: boolean;
  logger: Logger;
  bodyLimit?: string;
  handler: (body: z.infer<S>, ctx: RequestContext, req: Request) => Promise<unknown>;
}

/** The error envelope every internal endpoint answers with. */
export function sendInternalError(res: Response, code: string, message: string, details: Record<string, unknown> = {}): void {
  res.status(httpStatusFor(code)).json({ errors: [{ message, extensions: { ...details, code } }] });
}

export function internalRoute<S extends z.ZodType>(app: Express, opts: InternalRouteOptions<S>): void {
  app.post(opts.path, opts.requireContext(opts.secret, opts.audience), express.json({ limit: opts.bodyLimit ?? '1mb' }), async (req: Request, res: Response) => {
    const ctx = contextOf(res);
    if (opts.systemOnly && ctx.user?.via !== 'system') {
      sendInternalError(res, 'FORBIDDEN', 'internal endpoint');
      return;
    }
    const parsed = opts.schema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      sendInternalError(res, 'BAD_USER_INPUT', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'bad request'}`);
      return;
    }
    try {
      res.json(await opts.handler(parsed.data, ctx, req));
    } catch (err) {
      if (err instanceof StrataError) {
        const { code: _c, ...details } = err.extensions as Record<string, unknown>;
        sendInternalError(res, err.code, err.message, details);
        return;
      }
      opts.logger.error({ err, path: opts.path }, 'internal endpoint failed');
      sendInternalError(res, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    }
  });
}
