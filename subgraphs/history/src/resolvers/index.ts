// Resolvers of the history subgraph.
import DataLoader from 'dataloader';
import { DateTimeScalar, errors, JSONScalar, type GraphQLResolverMap, type SubgraphContext } from '@strata/shared';
import type { ChangeFilter, ChangeStore, Page } from '../store/changes.ts';

interface Pagination {
  offset?: number | null;
  limit?: number | null;
}

function page(p: Pagination | null | undefined, maxPageSize: number, defaultLimit = 100): Page {
  const offset = p?.offset ?? 0;
  let limit = p?.limit ?? defaultLimit;
  if (!Number.isInteger(offset) || offset < 0) throw errors.badInput('pagination.offset must be a non-negative integer');
  if (!Number.isInteger(limit) || limit < 0) throw errors.badInput('pagination.limit must be a non-negative integer');
  limit = Math.min(limit, maxPageSize);
  return { offset, limit };
}

type Row = Awaited<ReturnType<ChangeStore['list']>>[number];

const loaders = new WeakMap<object, DataLoader<string, Row[]>>();

export function createResolvers(deps: { store: ChangeStore; maxPageSize: number }): GraphQLResolverMap<SubgraphContext> {
  const { store, maxPageSize } = deps;
  const byObject = (c: SubgraphContext) => {
    let l = loaders.get(c);
    if (!l) {
      l = new DataLoader<string, Row[]>(async (ids) => {
        const rows = await store.forObjects(c.ctx, ids);
        return ids.map((id) => rows.filter((r) => r.changed_object_id === id));
      });
      loaders.set(c, l);
    }
    return l;
  };
  return {
    DateTime: DateTimeScalar,
    JSON: JSONScalar,
    Query: {
      changelog_list: (_p: unknown, args: { filters?: ChangeFilter; pagination?: Pagination }) => ({ args }),
      changelog: async (_p: unknown, args: { id: string }, c: SubgraphContext) => {
        const row = await store.get(c.ctx, args.id);
        if (!row) throw errors.notFound('Node not found', { id: args.id });
        return row;
      },
    },
    ObjectChangeTypeOffsetPaginated: {
      results: ({ args }: { args: { filters?: ChangeFilter; pagination?: Pagination } }, _a: unknown, c: SubgraphContext) =>
        store.list(c.ctx, args.filters, page(args.pagination, maxPageSize)),
      total_count: ({ args }: { args: { filters?: ChangeFilter } }, _a: unknown, c: SubgraphContext) => store.count(c.ctx, args.filters),
      page_info: ({ args }: { args: { pagination?: Pagination } }) => page(args.pagination, maxPageSize),
    },
    Node: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      changelog: async (node: { id: string }, args: { pagination?: Pagination }, c: SubgraphContext) => {
        const p = page(args.pagination, maxPageSize, maxPageSize);
        const rows = await byObject(c).load(node.id);
        return rows.slice(p.offset, p.offset + p.limit);
      },
    },
  } as unknown as GraphQLResolverMap<SubgraphContext>;
}
