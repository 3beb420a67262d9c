// The processes `pnpm start` runs: where each one's entry point is, which port it listens on,
// and the environment it gets (docs/api.md#commands, docs/development.md "Env names").
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORTS, SUBGRAPHS, type SubgraphName } from '@strata/shared/config';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type ServiceName = keyof typeof DEFAULT_PORTS;

export interface ServiceSpec {
  name: ServiceName;
  /** folder relative to the repo root */
  dir: string;
  /** absolute path of src/main.ts */
  entry: string;
  port: number;
  /** path polled until the service answers */
  readyPath: string;
}

/** Start order: subgraphs (in parallel), then the REST adapter, then the gateway. */
export const START_STAGES: ServiceName[][] = [[...SUBGRAPHS], ['rest-adapter'], ['gateway']];

export function serviceDir(name: ServiceName): string {
  if (name === 'gateway') return 'gateway';
  if (name === 'rest-adapter') return 'rest-adapter';
  return `subgraphs/${name}`;
}

const urlVar = (name: ServiceName) => `${name.toUpperCase().replace(/-/g, '_')}_URL`;

/**
 * Port of each service: the gateway listens on PORT (default 8000); a subgraph or the REST
 * adapter on the port of its `<NAME>_URL` when the user set one, else its default port.
 */
export function resolvePorts(env: NodeJS.ProcessEnv): Record<ServiceName, number> {
  const ports = { ...DEFAULT_PORTS } as Record<ServiceName, number>;
  for (const name of Object.keys(DEFAULT_PORTS) as ServiceName[]) {
    if (name === 'gateway') {
      if (env.PORT) ports.gateway = parsePort(env.PORT, 'PORT');
      continue;
    }
    const raw = env[urlVar(name)];
    if (!raw) continue;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error(`${urlVar(name)} is not a URL: ${raw}`);
    }
    if (u.port) ports[name] = parsePort(u.port, urlVar(name));
  }
  const seen = new Map<number, ServiceName>();
  for (const [name, port] of Object.entries(ports) as [ServiceName, number][]) {
    const other = seen.get(port);
    if (other) throw new Error(`${name} and ${other} would both listen on port ${port}`);
    seen.set(port, name);
  }
  return ports;
}

function parsePort(raw: string, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${what} must be a TCP port (1-65535), got ${raw}`);
  return n;
}

export function serviceSpecs(ports: Record<ServiceName, number>, root = REPO_ROOT): ServiceSpec[] {
  return (Object.keys(DEFAULT_PORTS) as ServiceName[]).map((name) => ({
    name,
    dir: serviceDir(name),
    entry: path.join(root, serviceDir(name), 'src', 'main.ts'),
    port: ports[name],
    readyPath: name === 'gateway' ? '/api/info' : '/health',
  }));
}

export interface ServiceEnvInput {
  base: NodeJS.ProcessEnv;
  databaseUrl: string;
  contextSecret: string;
  dataDir: string;
  ports: Record<ServiceName, number>;
  launcherPid: number;
}

/** URLs every service gets (how to reach the others). */
export function serviceUrls(ports: Record<ServiceName, number>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const s of SUBGRAPHS) urls[urlVar(s)] = `http://127.0.0.1:${ports[s as SubgraphName]}/graphql`;
  urls.REST_ADAPTER_URL = `http://127.0.0.1:${ports['rest-adapter']}`;
  urls.GATEWAY_URL = `http://127.0.0.1:${ports.gateway}`;
  return urls;
}

/**
 * The environment of one child: the launcher's own environment (so STRATA_*, LOG_LEVEL,
 * <SUBGRAPH>_DATABASE_URL, OAuth settings, PATH... pass through), then what the launcher decides.
 */
export function serviceEnv(name: ServiceName, input: ServiceEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...input.base };
  delete env.PORT;
  return {
    ...env,
    ...serviceUrls(input.ports),
    DATABASE_URL: input.databaseUrl,
    STRATA_CONTEXT_SECRET: input.contextSecret,
    STRATA_DATA_DIR: input.dataDir,
    PORT: String(input.ports[name]),
    APOLLO_TELEMETRY_DISABLED: 'true',
    STRATA_LAUNCHER_PID: String(input.launcherPid),
    STRATA_SERVICE_NAME: name,
  };
}
