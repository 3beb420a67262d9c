// `/api/*` on the gateway's origin is served by the REST adapter (a separate process).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from '@strata/shared';

export function restProxy(target: string, logger: Logger) {
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target,
    pathFilter: '/api',
    xfwd: true,
    on: {
      proxyReq: (proxyReq) => {
        proxyReq.removeHeader('x-strata-context');
      },
      error: (err, _req, res) => {
        logger.warn({ err: (err as Error).message }, 'REST adapter unreachable');
        const r = res as ServerResponse;
        if (!r.headersSent && typeof r.writeHead === 'function') {
          r.writeHead(503, { 'content-type': 'application/json' });
          r.end(JSON.stringify({ errors: ['The REST API is not available right now'] }));
        }
      },
    },
  });
}
