import { copyFile } from 'node:fs/promises';
import { createMigration } from '../src/create-migration.ts';
const logger = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };
await createMigration({ prismaDir: 'test/fixtures/basic/prisma', name: 'widgets', logger });
await copyFile('/tmp/fixture-v2.prisma', 'test/fixtures/basic/prisma/schema.prisma');
await createMigration({ prismaDir: 'test/fixtures/basic/prisma', name: 'parts', logger });
await createMigration({ prismaDir: 'test/fixtures/basic/prisma', name: 'again', logger });
