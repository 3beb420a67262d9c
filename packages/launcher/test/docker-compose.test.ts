// docker-compose.yml cannot be started here (no Docker engine): check statically that it names
// every service, port and variable the code expects, that each Dockerfile exists and runs
// the service's entry point on its port, and that every service has a restart policy.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, SUBGRAPHS } from '@strata/shared/config';
import { serviceDir, type ServiceName } from '../src/services.ts';
import { REPO } from './helpers.ts';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  restart?: string;
}

const compose = YAML.parse(fs.readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const STRATA_SERVICES = Object.keys(DEFAULT_PORTS) as ServiceName[];

/** Variables that wire the services together: a service that reads one must be given it. */
const WIRING = [
  'DATABASE_URL',
  'REDIS_URL',
  'STRATA_CONTEXT_SECRET',
  'PORT',
  'INVENTORY_URL',
  'BRANCHING_URL',
  'HISTORY_URL',
  'AUTH_URL',
  'REST_ADAPTER_URL',
  'GATEWAY_URL',
  'STRATA_DATA_DIR',
  'APOLLO_TELEMETRY_DISABLED',
];

/** What each kind of service needs at least (docs/development.md "Env names", docs/api.md#commands). */
function requiredEnv(name: ServiceName): string[] {
  const base = ['PORT', 'STRATA_CONTEXT_SECRET', 'APOLLO_TELEMETRY_DISABLED', 'REDIS_URL'];
  if ((SUBGRAPHS as readonly string[]).includes(name)) {
    const extra = name === 'auth' ? ['STRATA_INITIAL_ADMIN_PASSWORD', 'STRATA_INITIAL_ADMIN_TOKEN', 'STRATA_DATA_DIR'] : [];
    return [...base, 'DATABASE_URL', ...extra];
  }
  if (name === 'gateway') return [...base, 'INVENTORY_URL', 'BRANCHING_URL', 'HISTORY_URL', 'AUTH_URL', 'REST_ADAPTER_URL'];
  return [...base, 'GATEWAY_URL'];
}

/** Environment variable names a service's own sources read (process.env.X, env.X, env['X']). */
function envReadBy(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'generated' && e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/\benv(?:\.|\[['"`])([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
      }
    }
  };
  walk(path.join(REPO, dir, 'src'));
  return names;
}

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  it('builds any service from its SERVICE argument and runs its src/main.ts on 0.0.0.0:$PORT', () => {
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^ARG SERVICE$/m);
    expect(dockerfile).toMatch(/^ARG PORT$/m);
    expect(dockerfile).toMatch(/pnpm install --offline --frozen-lockfile --prod --filter "@strata\/\$SERVICE\.\.\."/);
    expect(dockerfile).toMatch(/tsx packages\/db\/src\/cli\.ts generate "\$SERVICE"/);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^EXPOSE \$\{PORT\}$/m);
    expect(dockerfile).toMatch(/^CMD \["tsx", "src\/main\.ts"\]$/m);
    for (const name of STRATA_SERVICES) {
      const dir = serviceDir(name);
      // the case statement maps every service to its folder, which has the entry point
      expect(dockerfile).toContain(name);
      expect(fs.existsSync(path.join(REPO, dir, 'src/main.ts'))).toBe(true);
      expect(fs.existsSync(path.join(REPO, dir, 'Dockerfile'))).toBe(false);
    }
  });
});

describe('docker-compose.yml', () => {
  it('has the infrastructure and every Strata service', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', ...STRATA_SERVICES].sort());
    expect(services.postgres?.image).toBe('postgres:16');
    expect(services.redis?.image).toBe('redis:7');
    expect(services.postgres?.healthcheck).toBeDefined();
    expect(services.redis?.healthcheck).toBeDefined();
  });

  for (const name of STRATA_SERVICES) {
    describe(name, () => {
      const svc = services[name]!;
      const env = svc.environment ?? {};
      const port = DEFAULT_PORTS[name];

      it('is built from the one parameterised Dockerfile with its own SERVICE and PORT', () => {
        expect(svc.build).toEqual({ context: '.', dockerfile: 'Dockerfile', args: { SERVICE: name, PORT: String(port) } });
      });

      it(`listens on its default port ${port}`, () => {
        expect(env.PORT).toBe(String(port));
        if (name === 'gateway') expect(svc.ports).toEqual([`\${STRATA_PORT:-8000}:${port}`]);
        else expect(svc.expose).toEqual([String(port)]);
        expect(svc.healthcheck?.test.join(' ')).toContain('/health');
        expect(svc.healthcheck?.test.join(' ')).toContain('process.env.PORT');
      });

      it('gets the environment it reads', () => {
        const provided = Object.keys(env);
        for (const v of requiredEnv(name)) expect(provided, `${name} needs ${v}`).toContain(v);
        for (const v of envReadBy(serviceDir(name))) {
          if (WIRING.includes(v)) expect(provided, `${name} reads ${v}`).toContain(v);
        }
        expect(env.APOLLO_TELEMETRY_DISABLED).toBe('true');
      });

      it('points at the other services by their compose names and default ports', () => {
        for (const s of SUBGRAPHS) {
          if (env[`${s.toUpperCase()}_URL`]) expect(env[`${s.toUpperCase()}_URL`]).toBe(`http://${s}:${DEFAULT_PORTS[s]}/graphql`);
        }
        if (env.REST_ADAPTER_URL) expect(env.REST_ADAPTER_URL).toBe(`http://rest-adapter:${DEFAULT_PORTS['rest-adapter']}`);
        if (env.GATEWAY_URL) expect(env.GATEWAY_URL).toBe(`http://gateway:${DEFAULT_PORTS.gateway}`);
        if (env.DATABASE_URL) expect(new URL(env.DATABASE_URL.replace(/\$\{[^}]*\}/g, 'x')).host).toBe('postgres:5432');
        if (env.REDIS_URL) expect(env.REDIS_URL).toBe('redis://redis:6379');
      });

      it('starts after what it depends on is healthy', () => {
        const deps = Object.entries(svc.depends_on ?? {});
        expect(deps.length).toBeGreaterThan(0);
        for (const [, d] of deps) expect(d.condition).toBe('service_healthy');
        const names = deps.map(([n]) => n);
        if ((SUBGRAPHS as readonly string[]).includes(name)) expect(names.sort()).toEqual(['postgres', 'redis']);
        else for (const s of SUBGRAPHS) expect(names).toContain(s);
        if (name === 'gateway') expect(names).toContain('rest-adapter');
      });
    });
  }

  it('restarts every service, the database and Redis after a crash (docs/operations.md, "Supervision")', () => {
    for (const [name, svc] of Object.entries(services)) expect(svc.restart, `${name} restart policy`).toMatch(/^(unless-stopped|always|on-failure(:\d+)?)$/);
  });

  it('requires STRATA_CONTEXT_SECRET instead of shipping a default one', () => {
    for (const name of STRATA_SERVICES) expect(services[name]?.environment?.STRATA_CONTEXT_SECRET).toMatch(/^\$\{STRATA_CONTEXT_SECRET:\?/);
  });

  it('has a .dockerignore that keeps node_modules, data and git out of the build context', () => {
    const ignore = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', '.git', '.strata', '**/src/generated']) expect(ignore).toContain(p);
  });
});
