// Builds the resolver map for a compiled schema: singular and list queries, object fields
// (attributes, relations, reverse relations, display), entity references and mutations.
import { errors, type GraphQLResolverMap, type SubgraphContext } from '@strata/shared';
import type { Kind, Relationship } from '../model/kinds.ts';
import { renderDisplay } from '../store/display.ts';
import { hfidOf } from '../store/hfid.ts';
import { resolvePage, type ListArgs, type Row } from '../store/reader.ts';
import { outputValue } from '../store/values.ts';
import { withWriteTx, type NodeInput, type Precondition } from '../store/writer.ts';
import { assertCanWrite } from './permissions.ts';
import { requestState, type InventoryRuntime } from './request-state.ts';
import { scalarResolvers } from './scalars.ts';

type Resolver = (parent: unknown, args: Record<string, unknown>, context: SubgraphContext) => unknown;
type FieldMap = Record<string, Resolver | object>;

/** A list answer: results and total_count are computed only when selected. */
interface ListResult {
  kind: Kind;
  args: ListArgs;
}

type KindRow = Row & { __kind?: string };

export function buildResolvers(rt: InventoryRuntime): GraphQLResolverMap<SubgraphContext> {
  const { schema } = rt;
  const Query: FieldMap = {};
  const Mutation: FieldMap = {};
  const map: Record<string, unknown> = { ...scalarResolvers };

  const kindOf = (name: string) => schema.kinds.get(name);
  const readable = (k: Kind, c: SubgraphContext) => !rt.canRead || rt.canRead(k.kind, c.ctx.user);
  const state = (c: SubgraphContext) => requestState(c, rt);

  async function loadPeer(c: SubgraphContext, rel: Relationship, row: Row): Promise<KindRow | null> {
    const id = row[rel.column] as string | null;
    if (!id) return null;
    const peerKind = rel.kindColumn ? kindOf(String(row[rel.kindColumn])) : kindOf(rel.peer);
    if (!peerKind || !readable(peerKind, c)) return null;
    const peer = await state(c).byId(peerKind).load(id);
    return peer ? { ...peer, __kind: peerKind.kind } : null;
  }

  for (const kind of schema.kinds.values()) {
    const fields: FieldMap = {
      __resolveReference: async (ref: { id: string }, c: SubgraphContext) => state(c).byId(kind).load(ref.id),
      display: (row: Row, _a: unknown, c: SubgraphContext) => renderDisplay(kind, row, (k, relName, r) => loadPeer(c, k.relationships.find((x) => x.name === relName)!, r), kindOf),
      class_type: () => kind.name,
      hfid: (row: Row, _a: unknown, c: SubgraphContext) => hfidOf(schema, kind, row, (k, id) => state(c).byId(k).load(id)),
      created: (row: Row) => row._created,
      last_updated: (row: Row) => row._valid_from,
    };
    for (const a of kind.attributes) fields[a.name] = (row: Row) => outputValue(a, row[a.name]);
    for (const rel of kind.relationships) {
      if (rel.cardinality === 'one') {
        fields[rel.name] = (row: Row, _a: unknown, c: SubgraphContext) => loadPeer(c, rel, row);
        continue;
      }
      fields[rel.name] = async (row: Row, args: ListArgs, c: SubgraphContext) => {
        const ids = (row[rel.column] as string[] | null) ?? [];
        if (!ids.length) return [];
        if (rel.polymorphic) {
          // Peers of several kinds: find each id's kind, load per kind, keep the stored order.
          const kinds = await state(c).kindOfId.loadMany(ids);
          const rows = await Promise.all(
            ids.map(async (id, i) => {
              const k = kinds[i];
              const peerKind = typeof k === 'string' ? kindOf(k) : undefined;
              const peer = peerKind && readable(peerKind, c) ? await state(c).byId(peerKind).load(id) : null;
              return peer ? ({ ...peer, __kind: peerKind!.kind } as KindRow) : null;
            }),
          );
          return paginate(
            rows.filter((r): r is KindRow => !!r),
            args,
            rt,
          );
        }
        const peer = kindOf(rel.peer)!;
        if (!readable(peer, c)) return [];
        // One statement for the peers of all parents, ordered (name, id by default) and
        // filtered/paginated per parent.
        return state(c).peers(peer, `${kind.kind}.${rel.name}`, normalizeArgs(args)).load({ parent: row.id, ids });
      };
    }
    for (const rev of kind.reverse) {
      const source = kindOf(rev.sourceKind)!;
      fields[rev.name] = (row: Row, args: ListArgs, c: SubgraphContext) =>
        !readable(source, c)
          ? []
          : state(c)
              .children(source, rev.relationship.column, rev.relationship.cardinality === 'many', normalizeArgs(args))
              .load(row.id);
    }
    map[kind.typeName] = fields;
    map[`${kind.typeName}OffsetPaginated`] = {
      results: (l: ListResult, _a: unknown, c: SubgraphContext) => (readable(l.kind, c) ? state(c).reader.list(l.kind, l.args) : []),
      total_count: (l: ListResult, _a: unknown, c: SubgraphContext) => (readable(l.kind, c) ? state(c).reader.count(l.kind, l.args.filters) : 0),
      page_info: (l: ListResult) => resolvePage(l.args.pagination, rt.limits),
    };

    Query[kind.field] = async (_p: unknown, args: { id: string }, c: SubgraphContext) => {
      if (!readable(kind, c)) throw errors.forbidden(`You may not read ${kind.name}`, { kind: kind.kind });
      const row = /^[0-9a-f-]{36}$/i.test(args.id) ? await state(c).byId(kind).load(args.id) : null;
      if (!row) throw errors.notFound('Node not found', { kind: kind.kind, id: args.id });
      return row;
    };
    Query[kind.listField] = (_p: unknown, args: ListArgs): ListResult => {
      resolvePage(args.pagination, rt.limits); // validate early
      return { kind, args: normalizeArgs(args) };
    };

    const write = <T>(c: SubgraphContext, fn: Parameters<typeof withWriteTx<T>>[1]) => {
      assertCanWrite(c.ctx);
      const scope = state(c).scope;
      return withWriteTx<T>(
        {
          pool: rt.pool,
          schema,
          scope,
          actor: { userId: c.ctx.user?.id ?? null, userName: c.ctx.user?.username ?? null, requestId: c.ctx.requestId },
          limits: rt.limits,
          signal: c.signal,
        },
        fn,
      ).then((r) => {
        rt.onCommitted();
        return r;
      });
    };
    Mutation[`${kind.field}_create`] = (_p: unknown, args: { data: NodeInput }, c: SubgraphContext) => write(c, async (tx) => (await tx.create(kind, [stripId(args.data)]))[0]);
    Mutation[`${kind.field}_bulk_create`] = (_p: unknown, args: { data: NodeInput[] }, c: SubgraphContext) => write(c, (tx) => tx.create(kind, args.data.map(stripId)));
    Mutation[`${kind.field}_update`] = (_p: unknown, args: { id: string; data: NodeInput } & { if_last_updated?: unknown }, c: SubgraphContext) =>
      write(c, (tx) => tx.update(kind, args.id, args.data, preconditionOf(args)));
    Mutation[`${kind.field}_upsert`] = (_p: unknown, args: { data: NodeInput } & { if_last_updated?: unknown }, c: SubgraphContext) =>
      write(c, async (tx) => (await tx.upsert(kind, args.data, preconditionOf(args))).row);
    Mutation[`${kind.field}_delete`] = (_p: unknown, args: { id: string } & { if_last_updated?: unknown }, c: SubgraphContext) =>
      write(c, async (tx) => {
        await tx.delete(kind, args.id, preconditionOf(args));
        return { ok: true, id: args.id };
      });
  }

  for (const g of schema.generics.values()) {
    map[g.typeName] = { __resolveType: (row: KindRow) => (row.__kind ? kindOf(row.__kind)?.typeName : null) ?? null };
  }
  map.Node = {
    __resolveReference: async (ref: { id: string }, c: SubgraphContext) => {
      const { rows } = await rt.pool.query<{ kind: string }>('SELECT kind FROM node_index WHERE id = $1', [ref.id]);
      const kind = rows[0] && kindOf(rows[0].kind);
      if (!kind) return null;
      const row = await state(c).byId(kind).load(ref.id);
      return row ? { ...row, __typename: kind.typeName } : null;
    },
    __resolveType: (row: KindRow & { __typename?: string }) => row.__typename ?? (row.__kind ? kindOf(row.__kind)?.typeName : null) ?? null,
  };
  map.Query = Query;
  map.Mutation = Mutation;
  return map as GraphQLResolverMap<SubgraphContext>;
}

/** `if_last_updated` arrives as the DateTime scalar's value (a Date or an ISO string). */
function preconditionOf(args: { if_last_updated?: unknown }): Precondition {
  const v = args.if_last_updated;
  if (v == null) return {};
  return { ifLastUpdated: v instanceof Date ? v.toISOString() : String(v) };
}

function stripId(data: NodeInput): NodeInput {
  const { id: _id, ...rest } = data;
  return rest;
}

function normalizeArgs(args: ListArgs): ListArgs {
  return { filters: args.filters ?? null, pagination: args.pagination ?? null, order: args.order ?? null };
}

function paginate(rows: Row[], args: ListArgs, rt: InventoryRuntime): Row[] {
  const { offset, limit } = resolvePage(args.pagination, { defaultLimit: rt.limits.maxLimit, maxLimit: rt.limits.maxLimit });
  return rows.slice(offset, offset + limit);
}
