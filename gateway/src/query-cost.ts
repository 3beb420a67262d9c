// The estimated cost of an operation (docs/api.md#commands STRATA_GRAPHQL_MAX_COST, §9 QUERY_TOO_COMPLEX):
// how many objects it can return. Every paginated field (one with a `pagination` argument:
// `<name>_list`, to-many relations, `branch_diff`, ...) returns up to its page size:
// `pagination.limit` (literal or variable), 100 without one, capped at STRATA_MAX_PAGE_SIZE as the
// subgraphs cap it. A paginated field nested in another one multiplies: `device_list(limit 100)
// { results { interfaces { name } } }` is 100 devices + 100 x 100 interfaces = 10,100.
// Lists without pagination (`results` of a page, small fixed lists, bulk-create results) count as
// their parent; introspection (`__schema`, `__type`) counts nothing. Runs after enforceLimits,
// so the expanded walk is bounded by STRATA_GRAPHQL_MAX_SELECTIONS.
// Schema types are told apart by their tag, not graphql's `is*Type` predicates: the schema comes
// from @apollo/gateway, which may load another copy of graphql (CommonJS next to our ESM, as under
// vitest), and the predicates refuse objects of another copy.
import { Kind, type GraphQLField, type GraphQLSchema, type SelectionSetNode, type ValueNode } from 'graphql';
import { errors } from '@strata/shared';
import type { LimitSettings, OperationShape } from './limits.ts';

export const DEFAULT_PAGE_SIZE = 100;

/** `GraphQLObjectType`, `GraphQLNonNull`, ... whichever copy of graphql made the value. */
export function typeTag(t: unknown): string {
  return Object.prototype.toString.call(t).slice(8, -1);
}

type Fields = Record<string, GraphQLField<unknown, unknown>>;
interface CompositeLike {
  name: string;
  getFields?: () => Fields;
}

const COMPOSITE = new Set(['GraphQLObjectType', 'GraphQLInterfaceType', 'GraphQLUnionType']);

function compositeOrNull(t: unknown): CompositeLike | null {
  let inner = t as { ofType?: unknown } | null | undefined;
  while (inner && (typeTag(inner) === 'GraphQLNonNull' || typeTag(inner) === 'GraphQLList')) inner = inner.ofType as typeof inner;
  return inner && COMPOSITE.has(typeTag(inner)) ? (inner as unknown as CompositeLike) : null;
}

type Variables = Record<string, unknown>;

function limitOf(value: ValueNode | undefined, variables: Variables): unknown {
  if (!value) return undefined;
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>).limit : undefined;
  }
  if (value.kind !== Kind.OBJECT) return undefined;
  const field = value.fields.find((f) => f.name.value === 'limit');
  if (!field) return undefined;
  if (field.value.kind === Kind.INT) return Number(field.value.value);
  if (field.value.kind === Kind.VARIABLE) return variables[field.value.name.value];
  return undefined;
}

/** Rows a paginated field can return, as the subgraphs compute them. */
export function pageSize(pagination: ValueNode | undefined, variables: Variables, maxPageSize: number): number {
  const limit = limitOf(pagination, variables);
  const wanted = typeof limit === 'number' && Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_PAGE_SIZE;
  return Math.min(wanted, maxPageSize);
}

/** Estimated objects returned by the operation; throws QUERY_TOO_COMPLEX past `maxCost`. */
export function enforceCost(shape: OperationShape, schema: GraphQLSchema, variables: Variables, limits: Pick<LimitSettings, 'maxCost' | 'maxPageSize'>): number {
  const op = shape.operation.operation;
  const root = compositeOrNull(op === 'mutation' ? schema.getMutationType() : op === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType());
  if (!root) return 0;
  let cost = 0;
  const walk = (set: SelectionSetNode, parent: CompositeLike, multiplier: number) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue;
        const def = parent.getFields?.()[sel.name.value];
        if (!def) continue; // unknown fields are refused by validation
        let m = multiplier;
        if (def.args.some((a) => a.name === 'pagination')) {
          m = multiplier * pageSize(sel.arguments?.find((a) => a.name.value === 'pagination')?.value, variables, limits.maxPageSize);
          cost += m;
          if (cost > limits.maxCost) {
            throw errors.tooComplex(
              `Query too expensive: it could return more than ${limits.maxCost} objects (STRATA_GRAPHQL_MAX_COST); lower pagination limits or nest fewer lists`,
              {
                limit: 'cost',
                max: limits.maxCost,
              },
            );
          }
        }
        const type = compositeOrNull(def.type);
        if (sel.selectionSet && type) walk(sel.selectionSet, type, m);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? compositeOrNull(schema.getType(sel.typeCondition.name.value)) : parent;
        if (t) walk(sel.selectionSet, t, multiplier);
      } else {
        const f = shape.fragments.get(sel.name.value);
        const t = f && compositeOrNull(schema.getType(f.typeCondition.name.value));
        if (f && t) walk(f.selectionSet, t, multiplier);
      }
    }
  };
  walk(shape.operation.selectionSet, root, 1);
  return cost;
}
