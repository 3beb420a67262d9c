// A driver adapter with no database behind it: it answers only the schema engine's start-up
// probe (namespace exists, version). Enough for `diff` between Prisma schemas / from empty,
// which never touches a database; any other query fails loudly.
import { ColumnTypeEnum, type SqlDriverAdapter } from '@prisma/driver-adapter-utils';

const PROBE = /version\(\)/i;

export function stubAdapter(): SqlDriverAdapter {
  const refuse = (what: string) => {
    throw new Error(`no database is connected (stub adapter): ${what}`);
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    queryRaw: async (q) => {
      if (!PROBE.test(q.sql)) refuse(q.sql);
      return {
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, 'PostgreSQL 15.0 (no database)', 150000]],
      };
    },
    executeRaw: async (q) => refuse(q.sql),
    executeScript: async () => refuse('script'),
    startTransaction: async () => refuse('transaction'),
    getConnectionInfo: () => ({ schemaName: 'public', supportsRelationJoins: true }),
    dispose: async () => undefined,
  };
}
