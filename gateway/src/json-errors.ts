// The gateway's last Express handlers (docs/api.md#errors: every route answers JSON, never an HTML
// error page): unknown paths are a JSON 404, and errors Express raises itself (a path that is
// not valid percent-encoding, `/graphql/%E0%A4%A`) or that escape a handler are JSON too,
// without stack traces.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@strata/shared';

export function jsonNotFound(req: Request, res: Response): void {
  res.status(404).json({ errors: [{ message: `Not found: ${req.method} ${req.path}` }] });
}

export function jsonErrorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown } | null;
    const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
    if (err instanceof URIError || (status === 400 && /decode/i.test(String(e?.message)))) {
      res.status(400).json({ errors: [{ message: 'Malformed URL: invalid percent-encoding', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    if (status >= 400 && status < 500) {
      const message = e?.expose === true && typeof e.message === 'string' ? e.message : 'Bad request';
      res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    logger.error({ err }, 'unhandled error');
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  };
}
