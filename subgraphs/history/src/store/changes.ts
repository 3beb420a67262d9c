// The change log store: idempotent recording of change events and filtered, paginated reads
// (newest first) that respect the request's branch and time-travel instant.
import { errors, type ChangeEvent, type RequestContext } from '@strata/shared';
import type { HistoryPrisma } from '../db.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface Lookup<T> {
  exact?: T | null;
  in_list?: T[] | null;
  i_contains?: string | null;
  gt?: T | null;
  gte?: T | null;
  lt?: T | null;
  lte?: T | null;
}

export interface ChangeFilter {
  id?: Lookup<string> | null;
  changed_object_type?: Lookup<string> | null;
  changed_object_id?: Lookup<string> | null;
  object_repr?: Lookup<string> | null;
  action?: Lookup<string> | null;
  user_name?: Lookup<string> | null;
  request_id?: Lookup<string> | null;
  branch?: Lookup<string> | null;
  time?: Lookup<string> | null;
}

export interface Page {
  offset: number;
  limit: number;
}

const UUID = /^[0-9a-f-]{36}$/i;

function where(l: Lookup<string> | null | undefined, opts: { uuid?: boolean; date?: boolean } = {}): Record<string, unknown> | undefined {
  if (!l) return undefined;
  const conv = (v: string | Date) => {
    if (opts.uuid && (typeof v !== 'string' || !UUID.test(v))) throw errors.badInput(`Not an id: ${String(v)}`);
    return opts.date ? new Date(v) : v;
  };
  const w: Record<string, unknown> = {};
  if (l.exact != null) w.equals = conv(l.exact);
  if (l.in_list) w.in = l.in_list.map(conv);
  if (l.i_contains != null) Object.assign(w, { contains: l.i_contains, mode: 'insensitive' });
  if (l.gt != null) w.gt = conv(l.gt);
  if (l.gte != null) w.gte = conv(l.gte);
  if (l.lt != null) w.lt = conv(l.lt);
  if (l.lte != null) w.lte = conv(l.lte);
  return w;
}

export function changeStore(prisma: HistoryPrisma) {
  function scoped(ctx: RequestContext, filter: ChangeFilter | null | undefined): Prisma.ObjectChangeWhereInput {
    const and: Prisma.ObjectChangeWhereInput[] = [];
    if (ctx.at) and.push({ time: { lte: new Date(ctx.at) } });
    if (!filter?.branch) and.push({ branch: { in: ctx.branch === 'main' ? ['main'] : ['main', ctx.branch] } });
    const f = filter ?? {};
    const map: [keyof ChangeFilter, string, { uuid?: boolean; date?: boolean }][] = [
      ['id', 'id', { uuid: true }],
      ['changed_object_type', 'changed_object_type', {}],
      ['changed_object_id', 'changed_object_id', { uuid: true }],
      ['object_repr', 'object_repr', {}],
      ['action', 'action', {}],
      ['user_name', 'user_name', {}],
      ['request_id', 'request_id', {}],
      ['branch', 'branch', {}],
      ['time', 'time', { date: true }],
    ];
    for (const [key, column, opts] of map) {
      const w = where(f[key], opts);
      if (w) and.push({ [column]: w } as Prisma.ObjectChangeWhereInput);
    }
    return { AND: and };
  }

  return {
    /** stores events once (replays of the same event id are ignored), in one statement */
    async record(events: ChangeEvent[]): Promise<void> {
      if (!events.length) return;
      await prisma.objectChange.createMany({
        data: events.map((e) => ({
            id: e.id,
            time: new Date(e.time),
            user_id: e.userId,
            user_name: e.userName,
            request_id: e.requestId,
            action: e.action,
            changed_object_type: e.kind,
            changed_object_id: e.objectId,
            object_repr: e.display,
            prechange_data: (e.prechange ?? undefined) as Prisma.InputJsonValue | undefined,
            postchange_data: (e.postchange ?? undefined) as Prisma.InputJsonValue | undefined,
            branch: e.branch,
          })),
        skipDuplicates: true,
      });
    },
    list(ctx: RequestContext, filter: ChangeFilter | null | undefined, page: Page) {
      return prisma.objectChange.findMany({ where: scoped(ctx, filter), orderBy: [{ time: 'desc' }, { id: 'desc' }], skip: page.offset, take: page.limit });
    },
    count(ctx: RequestContext, filter: ChangeFilter | null | undefined) {
      return prisma.objectChange.count({ where: scoped(ctx, filter) });
    },
    get(ctx: RequestContext, id: string) {
      if (!UUID.test(id)) return Promise.resolve(null);
      return prisma.objectChange.findFirst({ where: { AND: [scoped(ctx, null), { id }] } });
    },
    /** changes of many objects at once (one statement for a page of nodes) */
    forObjects(ctx: RequestContext, ids: readonly string[]) {
      return prisma.objectChange.findMany({
        where: { AND: [scoped(ctx, null), { changed_object_id: { in: ids.filter((i) => UUID.test(i)) } }] },
        orderBy: [{ time: 'desc' }, { id: 'desc' }],
      });
    },
  };
}

export type ChangeStore = ReturnType<typeof changeStore>;
