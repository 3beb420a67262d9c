// Per-request read state: the read scope, a statement-counting db handle, and DataLoaders that
// batch every nested field into one statement per (kind, field, arguments).
import DataLoader from 'dataloader';
import type pg from 'pg';
import { queryCancellable, type SubgraphContext } from '@strata/shared';
import type { CompiledSchema, Kind } from '../model/kinds.ts';
import type { ReadPolicy } from './read-permissions.ts';
import { Reader, type Db, type Limits, type ListArgs, type Row } from '../store/reader.ts';
import { scopeFromContext, type ReadScope } from '../store/scope.ts';

export interface InventoryRuntime {
  pool: pg.Pool;
  schema: CompiledSchema;
  limits: Limits;
  /** called after a write transaction committed (relays the outbox) */
  onCommitted(): void;
  /** who may read which kind (default: everyone) */
  canRead?: ReadPolicy;
}

export interface RequestState {
  scope: ReadScope;
  reader: Reader;
  statements: number;
  byId(kind: Kind): DataLoader<string, Row | null>;
  /** the kind of any node id (node_index), batched */
  kindOfId: DataLoader<string, string | null>;
  children(kind: Kind, column: string, many: boolean, args: ListArgs): DataLoader<string, Row[]>;
  /** peers of a to-many relation for many parents in one statement: load({parent, ids}) */
  peers(kind: Kind, relation: string, args: ListArgs): DataLoader<{ parent: string; ids: readonly string[] }, Row[], string>;
}

const states = new WeakMap<object, RequestState>();

export function requestState(context: SubgraphContext, rt: InventoryRuntime): RequestState {
  let state = states.get(context);
  if (state) return state;
  const scope = scopeFromContext(context.ctx);
  const db: Db = {
    query: (text, values) => {
      state!.statements++;
      // cancelled when the caller goes away; bounded by the pool's statement_timeout
      return queryCancellable(rt.pool, text, values, context.signal);
    },
  };
  const reader = new Reader(db, rt.schema, scope, rt.limits);
  const idLoaders = new Map<string, DataLoader<string, Row | null>>();
  const childLoaders = new Map<string, DataLoader<string, Row[]>>();
  const peerLoaders = new Map<string, DataLoader<{ parent: string; ids: readonly string[] }, Row[], string>>();
  state = {
    scope,
    reader,
    statements: 0,
    kindOfId: new DataLoader<string, string | null>(async (ids) => {
      const { rows } = await db.query<{ id: string; kind: string }>('SELECT id, kind FROM node_index WHERE id = ANY($1::uuid[])', [ids]);
      const map = new Map(rows.map((r) => [r.id, r.kind]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    byId(kind) {
      let l = idLoaders.get(kind.kind);
      if (!l) {
        l = new DataLoader<string, Row | null>(async (ids) => {
          const rows = await reader.byIds(kind, ids);
          const map = new Map(rows.map((r) => [r.id, r]));
          return ids.map((id) => map.get(id) ?? null);
        });
        idLoaders.set(kind.kind, l);
      }
      return l;
    },
    peers(kind, relation, args) {
      const key = `${kind.kind}|${relation}|${JSON.stringify(args)}`;
      let l = peerLoaders.get(key);
      if (!l) {
        l = new DataLoader<{ parent: string; ids: readonly string[] }, Row[], string>(
          async (items) => {
            const map = await reader.peersOf(kind, new Map(items.map((i) => [i.parent, i.ids])), args);
            return items.map((i) => map.get(i.parent) ?? []);
          },
          { cacheKeyFn: (i) => i.parent },
        );
        peerLoaders.set(key, l);
      }
      return l;
    },
    children(kind, column, many, args) {
      const key = `${kind.kind}|${column}|${JSON.stringify(args)}`;
      let l = childLoaders.get(key);
      if (!l) {
        l = new DataLoader<string, Row[]>(async (parents) => {
          const map = await reader.childrenOf(kind, column, many, parents, args);
          return parents.map((p) => map.get(p) ?? []);
        });
        childLoaders.set(key, l);
      }
      return l;
    },
  };
  states.set(context, state);
  return state;
}

/** The request's state if a resolver created one (no side effects). */
export function peekRequestState(context: SubgraphContext): RequestState | undefined {
  return states.get(context);
}
