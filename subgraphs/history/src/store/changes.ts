// The change log store: idempotent recording of change events and filtered, paginated reads
// (newest first) within the request's scope (branch, time travel). Filters: filters.ts.
import type { ChangeEvent, Logger, RequestContext } from '@strata/shared';
import type { HistoryPrisma } from '../db.ts';
import { Prisma, type ObjectChange } from '../generated/prisma/client.ts';
import { contextScope, filterWhere, orderBy, UUID, type ChangeFilter, type ChangeOrder } from './filters.ts';

export type { ChangeFilter, ChangeOrder } from './filters.ts';
export type ChangeRow = ObjectChange;

export interface Page {
  offset: number;
  limit: number;
  /** keyset pagination: rows after this id, in id order */
  start?: string | null;
}

function row(e: ChangeEvent): Prisma.ObjectChangeCreateManyInput {
  return {
    id: e.id,
    time: new Date(e.time),
    user_id: e.userId,
    user_name: e.userName,
    request_id: e.requestId,
    action: e.action,
    changed_object_type: e.kind,
    changed_object_id: e.objectId,
    object_repr: e.display,
    prechange_data: e.prechange === null ? Prisma.DbNull : (e.prechange as Prisma.InputJsonValue),
    postchange_data: e.postchange === null ? Prisma.DbNull : (e.postchange as Prisma.InputJsonValue),
    branch: e.branch,
  };
}

export function changeStore(prisma: HistoryPrisma, logger?: Logger) {
  const scoped = (ctx: RequestContext, filter?: ChangeFilter | null): Prisma.ObjectChangeWhereInput => ({
    AND: [contextScope(ctx, filter), filterWhere(filter)],
  });

  return {
    /**
     * Stores events once (an event id seen before is ignored), in one statement. If the batch
     * fails while the database answers, events are stored one by one and any event the database
     * refuses is logged and skipped, so one bad event cannot block the topic forever.
     */
    async record(events: ChangeEvent[]): Promise<void> {
      if (!events.length) return;
      try {
        await prisma.objectChange.createMany({ data: events.map(row), skipDuplicates: true });
        return;
      } catch (err) {
        if (!(await databaseAnswers())) throw err; // outage: the bus redelivers the batch later
      }
      for (const e of events) {
        try {
          await prisma.objectChange.createMany({ data: [row(e)], skipDuplicates: true });
        } catch (err) {
          if (!(await databaseAnswers())) throw err;
          logger?.error({ err: lastLine(err), eventId: e.id, kind: e.kind }, 'change event refused by the database; skipped');
        }
      }
    },
    list(ctx: RequestContext, filter: ChangeFilter | null | undefined, page: Page, order?: ChangeOrder | null) {
      if (page.start != null) {
        if (!UUID.test(page.start)) return Promise.resolve([]);
        return prisma.objectChange.findMany({
          where: { AND: [scoped(ctx, filter), { id: { gt: page.start } }] },
          orderBy: [{ id: 'asc' }],
          take: page.limit,
        });
      }
      return prisma.objectChange.findMany({ where: scoped(ctx, filter), orderBy: orderBy(order), skip: page.offset, take: page.limit });
    },
    count(ctx: RequestContext, filter: ChangeFilter | null | undefined) {
      return prisma.objectChange.count({ where: scoped(ctx, filter) });
    },
    get(ctx: RequestContext, id: string) {
      if (!UUID.test(id)) return Promise.resolve(null);
      return prisma.objectChange.findFirst({ where: { AND: [scoped(ctx), { id }] } });
    },
    /**
     * A page of changes (newest first) for each of many objects, in one statement: the
     * `changelog` field of a list of nodes costs one query, whatever the number of nodes.
     */
    async forObjects(ctx: RequestContext, ids: readonly string[], page: Page): Promise<ChangeRow[]> {
      const valid = [...new Set(ids.filter((i) => UUID.test(i)))];
      if (!valid.length || page.limit === 0) return [];
      const scope: Prisma.Sql[] = [];
      if (ctx.at) scope.push(Prisma.sql`time <= ${new Date(ctx.at)}`);
      if (ctx.branch === 'main') scope.push(Prisma.sql`branch = 'main'`);
      else if (ctx.branchMeta?.isolated) {
        scope.push(Prisma.sql`(branch = ${ctx.branch} OR (branch = 'main' AND time <= ${new Date(ctx.branchMeta.branchedFrom)}))`);
      } else scope.push(Prisma.sql`branch IN ('main', ${ctx.branch})`);
      const rows = await prisma.$queryRaw<(ChangeRow & { rn: bigint })[]>`
        SELECT * FROM (
          SELECT c.*, row_number() OVER (PARTITION BY changed_object_id ORDER BY time DESC, id DESC) AS rn
            FROM object_change c
           WHERE changed_object_id = ANY(${valid}::uuid[]) AND ${Prisma.join(scope, ' AND ')}
        ) ranked
        WHERE rn > ${page.offset} AND rn <= ${page.offset + page.limit}
        ORDER BY changed_object_id, rn`;
      return rows.map(({ rn: _rn, ...r }) => r as ChangeRow);
    },
  };

  async function databaseAnswers(): Promise<boolean> {
    try {
      await prisma.$queryRaw`SELECT 1`;
      return true;
    } catch {
      return false;
    }
  }
}

/** Prisma's messages quote the calling code first; the database's reason is the last line. */
function lastLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.trim().split('\n').pop() ?? message;
}

export type ChangeStore = ReturnType<typeof changeStore>;
