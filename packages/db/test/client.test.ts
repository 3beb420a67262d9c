// Generated Prisma Client (prisma generate, offline) + prismaAdapter on a migrated schema:
// every fixture model is written and read back, and all of it lives in the named schema.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, generateClient, prismaAdapter } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support.ts';
import { fixtureDir, here, query } from './helpers.ts';

const SCHEMA = 'fixture_client';
// generate into a private copy inside the package (so @prisma/client resolves) to stay safe
// when several test runs generate at once
const work = path.join(here, '..', '.work', `client-${randomBytes(4).toString('hex')}`);
const prismaDir = path.join(work, 'prisma');
const clientModule = path.join(work, 'src', 'generated', 'prisma', 'client.ts');

// The generated client exists only after beforeAll ran `prisma generate` (src/generated is
// gitignored), so it is imported by a computed path and typed by the slice this test uses.
interface WidgetRow {
  id: string;
  name: string;
  kind: string;
  createdAt: Date;
}
interface PartRow {
  id: bigint;
  tags: string[];
  attrs: unknown;
  weight: { toString(): string } | null;
}
interface FixtureClient {
  widget: {
    create(args: object): Promise<WidgetRow & { parts: PartRow[] }>;
    findUniqueOrThrow(args: object): Promise<WidgetRow & { _count: { parts: number } }>;
    delete(args: object): Promise<WidgetRow>;
  };
  part: { count(args?: object): Promise<number> };
  $queryRaw<T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  $disconnect(): Promise<void>;
}
interface ClientModule {
  PrismaClient: new (opts: { adapter: ReturnType<typeof prismaAdapter> }) => FixtureClient;
  WidgetKind: { small: 'small'; large: 'large' };
}

let db: TestDatabase;
let mod: ClientModule;
let prisma: FixtureClient;

beforeAll(async () => {
  await cp(fixtureDir, prismaDir, { recursive: true });
  await generateClient({ schemaPath: path.join(prismaDir, 'schema.prisma') });
  mod = (await import(clientModule)) as ClientModule;
  db = await createTestDatabase('db_client');
  await applyMigrations({ prismaDir: fixtureDir, url: db.url, schema: SCHEMA });
  prisma = new mod.PrismaClient({ adapter: prismaAdapter({ url: db.url, schema: SCHEMA }) });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  await rm(work, { recursive: true, force: true });
});

describe('generated client over prismaAdapter', () => {
  it('generate wrote the client where the generator output points', () => {
    expect(existsSync(clientModule)).toBe(true);
  });

  it('writes and reads every model', async () => {
    const w = await prisma.widget.create({
      data: {
        name: 'w1',
        kind: mod.WidgetKind.large,
        parts: { create: [{ tags: ['a', 'b'], attrs: { color: 'red', n: 1 }, weight: '1.250' }, {}] },
      },
      include: { parts: { orderBy: { id: 'asc' } } },
    });
    expect(w.kind).toBe('large');
    expect(w.createdAt).toBeInstanceOf(Date);
    expect(w.parts).toHaveLength(2);
    expect(w.parts[0]).toMatchObject({ tags: ['a', 'b'], attrs: { color: 'red', n: 1 } });
    expect(w.parts[0]!.weight?.toString()).toBe('1.25');
    expect(typeof w.parts[0]!.id).toBe('bigint');
    expect(w.parts[1]).toMatchObject({ tags: [], attrs: {}, weight: null });

    const back = await prisma.widget.findUniqueOrThrow({ where: { name: 'w1' }, include: { _count: { select: { parts: true } } } });
    expect(back.id).toBe(w.id);
    expect(back._count.parts).toBe(2);
    expect(await prisma.part.count({ where: { widgetId: w.id } })).toBe(2);

    await prisma.widget.delete({ where: { id: w.id } });
    expect(await prisma.part.count()).toBe(0);
  });

  it('keeps data in the subgraph schema (typed queries and raw SQL alike)', async () => {
    await prisma.widget.create({ data: { name: 'w2' } });
    const raw = await prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM widgets`;
    expect(raw[0]?.n).toBe(1);
    const rows = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM "${SCHEMA}".widgets`);
    expect(rows[0]?.n).toBe(1);
    const publicTables = await query(db.url, `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(publicTables).toHaveLength(0);
  });

  it('maps constraint violations to Prisma errors', async () => {
    await prisma.widget.create({ data: { name: 'dup' } });
    await expect(prisma.widget.create({ data: { name: 'dup' } })).rejects.toMatchObject({ code: 'P2002' });
  });
});
