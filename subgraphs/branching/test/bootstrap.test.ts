// First start of the branching subgraph: `main` and the installation record are created once,
// survive restarts unchanged, and concurrent starts on an empty schema agree on one of each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '@strata/shared';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { BRANCH_FIELDS, gql, startBranching } from './helpers.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('branching_boot');
});
afterAll(async () => {
  await db?.drop();
});

describe('bootstrap', () => {
  it('creates main (OPEN, not isolated, branched from its creation) and the installation row', async () => {
    const s = await startBranching(db.url, 'boot_main');
    try {
      const res = await gql(s.url, `{ branch(name: "main") { ${BRANCH_FIELDS} } branch_list { name is_default } }`);
      expect(res.errors).toBeUndefined();
      const main = res.data!.branch;
      expect(main).toMatchObject({ name: 'main', status: 'OPEN', isolated: false, is_default: true, created_by: null, description: null });
      expect(main.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(main.branched_from).toBe(main.created_at);
      expect(new Date(main.created_at).toISOString()).toBe(main.created_at);
      expect(res.data!.branch_list).toEqual([{ name: 'main', is_default: true }]);
      expect(await s.prisma.installation.count()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('keeps the deployment id and main across restarts', async () => {
    const q = `{ info { deployment_id version } branch(name: "main") { id created_at } }`;
    const first = await startBranching(db.url, 'boot_restart');
    const a = await gql(first.url, q);
    await first.close();
    const second = await startBranching(db.url, 'boot_restart');
    try {
      const b = await gql(second.url, q);
      expect(a.errors).toBeUndefined();
      expect(a.data!.info.deployment_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a.data!.info.version).toBe(VERSION);
      expect(b.data).toEqual(a.data);
      expect(await second.prisma.branch.count()).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('gives each installation (schema) its own deployment id', async () => {
    const x = await startBranching(db.url, 'boot_x');
    const y = await startBranching(db.url, 'boot_y');
    try {
      const a = await gql(x.url, '{ info { deployment_id } }');
      const b = await gql(y.url, '{ info { deployment_id } }');
      expect(a.data!.info.deployment_id).not.toBe(b.data!.info.deployment_id);
    } finally {
      await x.close();
      await y.close();
    }
  });

  it('is safe when several instances start at once on an empty schema', async () => {
    const started = await Promise.all([0, 1, 2].map(() => startBranching(db.url, 'boot_concurrent')));
    try {
      const infos = await Promise.all(started.map((s) => gql(s.url, '{ info { deployment_id } branch(name: "main") { id } }')));
      for (const r of infos) expect(r.errors).toBeUndefined();
      expect(new Set(infos.map((r) => r.data!.info.deployment_id)).size).toBe(1);
      expect(new Set(infos.map((r) => r.data!.branch.id)).size).toBe(1);
      expect(await started[0]!.prisma.branch.count()).toBe(1);
      expect(await started[0]!.prisma.installation.count()).toBe(1);
    } finally {
      for (const s of started) await s.close();
    }
  });

  it('refuses a second installation row (single-row table)', async () => {
    const s = await startBranching(db.url, 'boot_single');
    try {
      await expect(s.prisma.installation.create({ data: { deploymentId: '00000000-0000-4000-8000-000000000000' } })).rejects.toThrow();
      await expect(s.prisma.$executeRawUnsafe(`INSERT INTO installation (id, deployment_id) VALUES ('OTHER', gen_random_uuid())`)).rejects.toThrow();
      expect(await s.prisma.installation.count()).toBe(1);
    } finally {
      await s.close();
    }
  });
});
