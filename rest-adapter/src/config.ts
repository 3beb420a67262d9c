// Settings of the REST adapter, read from the environment once at start.
import { z } from 'zod';
import { DEFAULT_PORTS, listenHost, listenPort, trustProxyFromEnv } from '@strata/shared';

export const SERVICE = 'rest-adapter';

export interface RestConfig {
  port: number;
  host: string;
  /** gateway origin the adapter sends GraphQL to, e.g. http://127.0.0.1:8000 */
  gatewayUrl: string;
  /** how long one supergraph call may take */
  timeoutMs: number;
  /** STRATA_TRUST_PROXY: a caller reaching the adapter directly is known by its first X-Forwarded-For entry */
  trustProxy: boolean;
}

const Env = z.object({
  GATEWAY_URL: z.string().url().optional(),
  REST_ADAPTER_HOST: z.string().min(1).optional(),
  STRATA_REST_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
});

export function readRestConfig(env: NodeJS.ProcessEnv = process.env): RestConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return {
    port: listenPort(SERVICE, env),
    host: listenHost(env, parsed.data.REST_ADAPTER_HOST),
    gatewayUrl: (parsed.data.GATEWAY_URL ?? `http://127.0.0.1:${DEFAULT_PORTS.gateway}`).replace(/\/+$/, ''),
    timeoutMs: parsed.data.STRATA_REST_TIMEOUT_MS ?? 30_000,
    trustProxy: trustProxyFromEnv(env),
  };
}
