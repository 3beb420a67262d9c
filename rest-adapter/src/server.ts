// Starts the REST adapter (docs/rest.md): the /api route table over the supergraph, on
// PORT (default 4010), talking to the gateway at GATEWAY_URL (default http://127.0.0.1:8000).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@strata/shared';
import { createApp } from './app.ts';
import { withClientAddress } from './client-address.ts';
import { readRestConfig, SERVICE } from './config.ts';
import { apiRoutes } from './routes/index.ts';
import type { RouteDef } from './routes/types.ts';
import { createSupergraphClient, type SupergraphClient } from './supergraph-client.ts';

export { SERVICE };

export interface StartOptions {
  /** replaces the route table (tests) */
  routes?: RouteDef[];
  /** replaces the gateway client (tests) */
  supergraph?: SupergraphClient;
}

export async function start(env: NodeJS.ProcessEnv = process.env, opts: StartOptions = {}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const config = readRestConfig(env);
  const logger = createLogger(SERVICE);
  const app = createApp({
    routes: opts.routes ?? apiRoutes,
    supergraph: opts.supergraph ?? createSupergraphClient({ gatewayUrl: config.gatewayUrl, timeoutMs: config.timeoutMs, secret: env.STRATA_CONTEXT_SECRET }),
    logger,
    service: SERVICE,
    secret: env.STRATA_CONTEXT_SECRET,
  });
  const server = http.createServer(withClientAddress(app, { secret: env.STRATA_CONTEXT_SECRET, trustProxy: config.trustProxy }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, gateway: config.gatewayUrl }, 'rest adapter listening');
  return {
    url,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
