// Resolvers of the history subgraph: changelog_list / changelog, and `changelog` on every
// inventory node (the `Node` entity interface, batched per request with a DataLoader).
import DataLoader from 'dataloader';
import { Kind, type GraphQLResolveInfo } from 'graphql';
import { DateTimeScalar, errors, JSONScalar, type GraphQLResolverMap, type SubgraphContext } from '@strata/shared';
import type { ChangeFilter, ChangeOrder, ChangeRow, ChangeStore, Page } from '../store/changes.ts';

interface Pagination {
  offset?: number | null;
  limit?: number | null;
  start?: string | null;
}

interface ListArgs {
  filters?: ChangeFilter | null;
  pagination?: Pagination | null;
  order?: ChangeOrder | null;
}

const DEFAULT_LIMIT = 100;

function page(p: Pagination | null | undefined, maxPageSize: number): Page {
  const offset = p?.offset ?? 0;
  const limit = p?.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(offset) || offset < 0) throw errors.badInput('pagination.offset must be a non-negative integer');
  if (!Number.isInteger(limit) || limit < 0) throw errors.badInput('pagination.limit must be a non-negative integer');
  if (p?.start != null && offset) throw errors.badInput('pagination: use either offset or start');
  return { offset, limit: Math.min(limit, maxPageSize), start: p?.start ?? null };
}

/**
 * graphql-js coerces input objects in schema field order; a multi-key `order: {action: ASC,
 * time: DESC}` literal should sort by its keys in the order written. Variables keep schema order.
 */
function orderAsWritten(order: ChangeOrder | null | undefined, info: GraphQLResolveInfo): ChangeOrder | null | undefined {
  if (!order) return order;
  const arg = info.fieldNodes[0]?.arguments?.find((a) => a.name.value === 'order');
  if (arg?.value.kind !== Kind.OBJECT) return order;
  const out: ChangeOrder = {};
  for (const f of arg.value.fields) {
    const key = f.name.value as keyof ChangeOrder;
    if (key in order) out[key] = order[key];
  }
  return out;
}

/** One loader per request and page shape: all nodes of a response share one query. */
const loaders = new WeakMap<SubgraphContext, Map<string, DataLoader<string, ChangeRow[]>>>();

export function createResolvers(deps: { store: ChangeStore; maxPageSize: number }): GraphQLResolverMap<SubgraphContext> {
  const { store, maxPageSize } = deps;
  const loaderFor = (c: SubgraphContext, p: Page) => {
    let byPage = loaders.get(c);
    if (!byPage) loaders.set(c, (byPage = new Map()));
    const key = `${p.offset}:${p.limit}`;
    let l = byPage.get(key);
    if (!l) {
      l = new DataLoader<string, ChangeRow[]>(async (ids) => {
        const rows = await store.forObjects(c.ctx, ids, p);
        const grouped = new Map<string, ChangeRow[]>();
        for (const r of rows) grouped.set(r.changed_object_id, [...(grouped.get(r.changed_object_id) ?? []), r]);
        return ids.map((id) => grouped.get(id.toLowerCase()) ?? []);
      });
      byPage.set(key, l);
    }
    return l;
  };
  return {
    DateTime: DateTimeScalar,
    JSON: JSONScalar,
    Query: {
      changelog_list: (_p: unknown, args: ListArgs, _c: SubgraphContext, info: GraphQLResolveInfo) => ({
        args: { ...args, order: orderAsWritten(args.order, info) },
        page: page(args.pagination, maxPageSize),
      }),
      changelog: async (_p: unknown, args: { id: string }, c: SubgraphContext) => {
        const row = await store.get(c.ctx, args.id);
        if (!row) throw errors.notFound('Node not found', { id: args.id });
        return row;
      },
    },
    ObjectChangeTypeOffsetPaginated: {
      results: ({ args, page: p }: { args: ListArgs; page: Page }, _a: unknown, c: SubgraphContext) => store.list(c.ctx, args.filters, p, args.order),
      total_count: ({ args }: { args: ListArgs }, _a: unknown, c: SubgraphContext) => store.count(c.ctx, args.filters),
      page_info: ({ page: p }: { page: Page }) => ({ offset: p.offset, limit: p.limit }),
    },
    Node: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      changelog: (node: { id: string }, args: { pagination?: Pagination | null }, c: SubgraphContext) => {
        const p = page(args.pagination, maxPageSize);
        if (p.start != null) throw errors.badInput('pagination.start is not supported on changelog; use offset');
        return loaderFor(c, p).load(node.id);
      },
    },
  } as unknown as GraphQLResolverMap<SubgraphContext>;
}
