// `/api/*` on the gateway's origin is served by the REST adapter (a separate process). The client
// address the gateway saw goes along signed (`x-strata-client-address`, see
// packages/shared/src/client-address.ts): the adapter believes it, never the caller's own
// X-Forwarded-For (sign-in rate limit).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { CLIENT_ADDRESS_HEADER, peerAddress, signClientAddress, trustProxyFromEnv, type Logger } from '@strata/shared';

export function restProxy(target: string, logger: Logger, clientAddress?: { secret: string; env: NodeJS.ProcessEnv }) {
  const trustProxy = clientAddress ? trustProxyFromEnv(clientAddress.env) : false;
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target,
    pathFilter: '/api',
    xfwd: true,
    on: {
      proxyReq: (proxyReq, req) => {
        proxyReq.removeHeader('x-strata-context');
        if (clientAddress) proxyReq.setHeader(CLIENT_ADDRESS_HEADER, signClientAddress(clientAddress.secret, peerAddress(req, trustProxy)));
        else proxyReq.removeHeader(CLIENT_ADDRESS_HEADER);
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
