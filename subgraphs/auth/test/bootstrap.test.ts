// First-start bootstrap of the admin user: credentials from env or generated (printed once,
// stored 0600), idempotent across restarts, and safe when two instances start at once.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@strata/shared';
import { bootstrapAdmin, INITIAL_ADMIN_FILE } from '../src/bootstrap.ts';
import { verifyPassword } from '../src/crypto/passwords.ts';
import { hashToken } from '../src/crypto/tokens.ts';
import { createPrisma, migrate } from '../src/db.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { callAuthenticate, startAuth } from './helpers.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('auth_bootstrap');
});
afterAll(async () => {
  await db?.drop();
});

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

describe('bootstrap', () => {
  it('creates admin from STRATA_INITIAL_ADMIN_PASSWORD / _TOKEN without writing a file', async () => {
    const token = 'env-provided-initial-token-0123456789';
    const write = vi.spyOn(process.stdout, 'write');
    const auth = await startAuth(db.url, 'auth_env', {
      STRATA_INITIAL_ADMIN_PASSWORD: 'correct horse battery staple',
      STRATA_INITIAL_ADMIN_TOKEN: token,
    });
    try {
      const printed = write.mock.calls.map((c) => String(c[0])).join('');
      write.mockRestore();
      expect(printed).not.toContain(token);
      expect(await exists(path.join(auth.dataDir, INITIAL_ADMIN_FILE))).toBe(false);

      const admin = await auth.prisma.user.findUniqueOrThrow({ where: { username: 'admin' }, include: { apiTokens: true } });
      expect(admin.roles).toEqual(['admin']);
      expect(admin.isActive).toBe(true);
      expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(admin.passwordHash, 'correct horse battery staple')).toBe(true);
      expect(await verifyPassword(admin.passwordHash, 'wrong')).toBe(false);
      expect(admin.apiTokens).toHaveLength(1);
      expect(admin.apiTokens[0]!.name).toBe('initial');
      // stored hashed, never in clear text
      expect(admin.apiTokens[0]!.tokenHash).toBe(hashToken(token));
      expect(JSON.stringify(admin.apiTokens)).not.toContain(token);

      const res = await callAuthenticate(auth.baseUrl, { scheme: 'token', credential: token });
      expect(res.status).toBe(200);
      expect(res.body.principal).toEqual({ id: admin.id, username: 'admin', roles: ['admin'], via: 'token' });
    } finally {
      write.mockRestore();
      await auth.close();
    }
  });

  it('generates credentials, prints them once, stores them 0600 and is idempotent', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'strata-auth-gen-'));
    const file = path.join(dataDir, INITIAL_ADMIN_FILE);
    try {
      const write = vi.spyOn(process.stdout, 'write');
      const first = await startAuth(db.url, 'auth_gen', { STRATA_DATA_DIR: dataDir });
      const printed = write.mock.calls.map((c) => String(c[0])).join('');
      write.mockRestore();
      let stored: { username: string; password: string; token: string };
      try {
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        stored = JSON.parse(await readFile(file, 'utf8'));
        expect(stored.username).toBe('admin');
        expect(stored.password.length).toBeGreaterThanOrEqual(20);
        expect(stored.token).toMatch(/^strata_[A-Za-z0-9_-]{43}$/);
        expect(printed).toContain(stored.password);
        expect(printed).toContain(stored.token);

        const admin = await first.prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
        expect(await verifyPassword(admin.passwordHash, stored.password)).toBe(true);
        const ok = await callAuthenticate(first.baseUrl, { scheme: 'x-api-key', credential: stored.token });
        expect(ok.status).toBe(200);
        expect(ok.body.principal?.username).toBe('admin');
      } finally {
        await first.close();
      }

      // second start on the same database: nothing created, printed or rewritten
      const before = await readFile(file, 'utf8');
      const write2 = vi.spyOn(process.stdout, 'write');
      const second = await startAuth(db.url, 'auth_gen', { STRATA_DATA_DIR: dataDir, STRATA_INITIAL_ADMIN_TOKEN: 'another-token-abcdefghijklmnop' });
      const printed2 = write2.mock.calls.map((c) => String(c[0])).join('');
      write2.mockRestore();
      try {
        expect(printed2).not.toContain('Strata initial admin');
        expect(await readFile(file, 'utf8')).toBe(before);
        expect(await second.prisma.user.count()).toBe(1);
        expect(await second.prisma.apiToken.count()).toBe(1);
        const still = await callAuthenticate(second.baseUrl, { scheme: 'bearer', credential: stored.token });
        expect(still.status).toBe(200);
        const other = await callAuthenticate(second.baseUrl, { scheme: 'token', credential: 'another-token-abcdefghijklmnop' });
        expect(other.status).toBe(401);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('creates exactly one admin when two instances bootstrap at once', async () => {
    const dbInfo = { url: db.url, schema: 'auth_race' };
    const logger = createLogger('auth-test');
    await migrate(dbInfo, logger);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'strata-auth-race-'));
    const a = createPrisma(dbInfo);
    const b = createPrisma(dbInfo);
    const printed: string[] = [];
    try {
      const config = { initialAdminPassword: undefined, initialAdminToken: undefined, dataDir };
      const results = await Promise.all([
        bootstrapAdmin({ prisma: a, config, logger, print: (t) => printed.push(t) }),
        bootstrapAdmin({ prisma: b, config, logger, print: (t) => printed.push(t) }),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(printed).toHaveLength(1);
      expect(await a.user.count()).toBe(1);
      expect(await a.apiToken.count()).toBe(1);
      // the file holds the credentials that were actually committed
      const stored = JSON.parse(await readFile(path.join(dataDir, INITIAL_ADMIN_FILE), 'utf8')) as { token: string };
      expect(await a.apiToken.count({ where: { tokenHash: hashToken(stored.token) } })).toBe(1);
    } finally {
      await a.$disconnect();
      await b.$disconnect();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
