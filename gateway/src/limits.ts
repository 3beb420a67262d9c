// Operation limits checked before Apollo sees a document (docs/api.md#queries: QUERY_TOO_COMPLEX),
// all in time linear in the document, whatever its fragments do:
// - which operation runs and its root fields (decides whether an anonymous request is public);
// - per fragment, memoized: field selections counted with fragment multiplicity, aliases,
//   directives, depth (a field with a sub-selection is one level; fragments add none), and
//   fragment cycles / unknown fragments (refused as BAD_USER_INPUT, like GraphQL validation);
// - counted over EVERY operation of the document, not only the one that runs: Apollo validates
//   the whole document. Fragments no operation uses are refused (validation would refuse them
//   too), so nothing in the document escapes the counts;
// - then, only for documents within those limits (so at most `maxSelections` fields to expand):
//   how many fields share one response name in a merged selection set. GraphQL's
//   OverlappingFieldsCanBeMerged compares those pairwise: 2,000 `__type(name: ...)` fields at
//   the root cost it ~12 s, so the number is bounded here, before Apollo's validation runs.
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { errors, readEnv } from '@strata/shared';

export interface LimitSettings {
  /** STRATA_GRAPHQL_MAX_TOKENS: lexical tokens of a document (parse is aborted past it) */
  maxTokens: number;
  /** STRATA_GRAPHQL_MAX_ALIASES */
  maxAliases: number;
  /** STRATA_GRAPHQL_MAX_DEPTH: nested fields with a sub-selection */
  maxDepth: number;
  /** STRATA_GRAPHQL_MAX_DIRECTIVES: directive uses, fragments expanded */
  maxDirectives: number;
  /** STRATA_GRAPHQL_MAX_SELECTIONS: field selections, fragments expanded */
  maxSelections: number;
  /** STRATA_GRAPHQL_MAX_ROOT_FIELDS: field selections at the root, fragments expanded */
  maxRootFields: number;
  /** STRATA_GRAPHQL_MAX_FIELD_REPEATS: fields sharing one response name in a merged selection set */
  maxFieldRepeats: number;
  /** STRATA_GRAPHQL_MAX_COST: estimated objects returned (query-cost.ts) */
  maxCost: number;
  /** STRATA_MAX_PAGE_SIZE: the cap every list applies to `pagination.limit` */
  maxPageSize: number;
}

export const LIMIT_DEFAULTS = {
  maxTokens: 10_000,
  maxDirectives: 50,
  maxSelections: 1_500,
  maxRootFields: 100,
  maxFieldRepeats: 10,
  maxCost: 50_000,
} as const;

function positiveInt(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function readLimits(env: NodeJS.ProcessEnv = process.env): LimitSettings {
  const e = readEnv(env);
  return {
    maxTokens: positiveInt(env, 'STRATA_GRAPHQL_MAX_TOKENS', LIMIT_DEFAULTS.maxTokens),
    maxAliases: e.STRATA_GRAPHQL_MAX_ALIASES,
    maxDepth: e.STRATA_GRAPHQL_MAX_DEPTH,
    maxDirectives: positiveInt(env, 'STRATA_GRAPHQL_MAX_DIRECTIVES', LIMIT_DEFAULTS.maxDirectives),
    maxSelections: positiveInt(env, 'STRATA_GRAPHQL_MAX_SELECTIONS', LIMIT_DEFAULTS.maxSelections),
    maxRootFields: positiveInt(env, 'STRATA_GRAPHQL_MAX_ROOT_FIELDS', LIMIT_DEFAULTS.maxRootFields),
    maxFieldRepeats: positiveInt(env, 'STRATA_GRAPHQL_MAX_FIELD_REPEATS', LIMIT_DEFAULTS.maxFieldRepeats),
    maxCost: positiveInt(env, 'STRATA_GRAPHQL_MAX_COST', LIMIT_DEFAULTS.maxCost),
    maxPageSize: e.STRATA_MAX_PAGE_SIZE,
  };
}

export interface OperationShape {
  operation: OperationDefinitionNode;
  /** every operation of the document (the limits cover all of them) */
  operations: OperationDefinitionNode[];
  fragments: Map<string, FragmentDefinitionNode>;
  /** distinct root field names (through inline fragments and fragment spreads) */
  rootFields: string[];
}

/**
 * The operation to run and its root field names, or null when `operationName` names none (or
 * is missing while the document holds several). Each fragment is looked at once.
 */
export function selectOperation(doc: DocumentNode, operationName?: string | null): OperationShape | null {
  const ops: OperationDefinitionNode[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) ops.push(d);
    else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      if (fragments.has(d.name.value)) throw errors.badInput(`There can be only one fragment named "${d.name.value}"`);
      fragments.set(d.name.value, d);
    }
  }
  const operation = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
  if (!operation) return null;
  const roots = new Set<string>();
  const seen = new Set<string>();
  const collect = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) roots.add(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) collect(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const f = fragments.get(sel.name.value);
        if (f) collect(f.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return { operation, operations: ops, fragments, rootFields: [...roots] };
}

export interface OperationMeasures {
  /** field selections, fragments expanded (may be huge: computed, never expanded) */
  selections: number;
  rootFields: number;
  aliases: number;
  directives: number;
  depth: number;
}

interface SetStats {
  selections: number;
  top: number;
  aliases: number;
  directives: number;
  depth: number;
}

/**
 * Counts of the document's operations with fragments expanded, in one pass over the document:
 * sums over all operations (depth: the deepest). Throws BAD_USER_INPUT for fragment cycles,
 * unknown fragments and fragments no operation uses.
 */
export function measureOperation(shape: OperationShape): OperationMeasures {
  const memo = new Map<string, SetStats>();
  const inProgress = new Set<string>();
  const fragmentStats = (name: string): SetStats => {
    const hit = memo.get(name);
    if (hit) return hit;
    const f = shape.fragments.get(name);
    if (!f) throw errors.badInput(`Unknown fragment "${name}"`);
    if (inProgress.has(name)) throw errors.badInput(`Cannot spread fragment "${name}" within itself`);
    inProgress.add(name);
    const s = setStats(f.selectionSet);
    s.directives += f.directives?.length ?? 0;
    inProgress.delete(name);
    memo.set(name, s);
    return s;
  };
  const setStats = (set: SelectionSetNode): SetStats => {
    const out: SetStats = { selections: 0, top: 0, aliases: 0, directives: 0, depth: 0 };
    const add = (s: SetStats) => {
      out.selections += s.selections;
      out.top += s.top;
      out.aliases += s.aliases;
      out.directives += s.directives;
    };
    for (const sel of set.selections) {
      out.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        out.selections += 1;
        out.top += 1;
        if (sel.alias) out.aliases += 1;
        if (sel.selectionSet) {
          const s = setStats(sel.selectionSet);
          add({ ...s, top: 0 });
          out.depth = Math.max(out.depth, 1 + s.depth);
        }
      } else {
        const s = sel.kind === Kind.INLINE_FRAGMENT ? setStats(sel.selectionSet) : fragmentStats(sel.name.value);
        add(s);
        out.depth = Math.max(out.depth, s.depth);
      }
    }
    return out;
  };
  const total: OperationMeasures = { selections: 0, rootFields: 0, aliases: 0, directives: 0, depth: 0 };
  for (const op of shape.operations) {
    const s = setStats(op.selectionSet);
    total.selections += s.selections;
    total.rootFields += s.top;
    total.aliases += s.aliases;
    total.directives += s.directives + (op.directives?.length ?? 0);
    total.depth = Math.max(total.depth, s.depth);
  }
  for (const name of shape.fragments.keys()) {
    if (!memo.has(name)) throw errors.badInput(`Fragment "${name}" is never used`);
  }
  return total;
}

const shown = (n: number) => (n > 1e9 ? 'more than 1000000000' : String(n));

/**
 * Refuses (QUERY_TOO_COMPLEX) an operation over any structural limit. Cheap checks first; the
 * merged-selection check expands fragments, which the selection limit has bounded by then.
 */
export function enforceLimits(shape: OperationShape, limits: LimitSettings): OperationMeasures {
  const m = measureOperation(shape);
  const refuse = (what: string, found: number, max: number, limit: string) => {
    throw errors.tooComplex(`${what}: ${shown(found)} (max ${max})`, { limit });
  };
  if (m.aliases > limits.maxAliases) refuse('Too many aliases', m.aliases, limits.maxAliases, 'aliases');
  if (m.depth > limits.maxDepth) throw errors.tooComplex(`Query too deep: ${m.depth} levels (max ${limits.maxDepth})`, { limit: 'depth' });
  if (m.directives > limits.maxDirectives) refuse('Too many directives', m.directives, limits.maxDirectives, 'directives');
  if (m.rootFields > limits.maxRootFields) refuse('Too many root fields', m.rootFields, limits.maxRootFields, 'root_fields');
  if (m.selections > limits.maxSelections) refuse('Too many field selections', m.selections, limits.maxSelections, 'selections');
  const repeats = maxFieldRepeats(shape);
  if (repeats.count > limits.maxFieldRepeats) {
    throw errors.tooComplex(`Too many fields named "${repeats.name}" in one selection set: ${repeats.count} (max ${limits.maxFieldRepeats})`, { limit: 'field_repeats' });
  }
  return m;
}

/**
 * The largest group of fields sharing a response name once sibling selection sets are merged
 * the way GraphQL merges them (inline fragments, fragment spreads, and the sub-selections of
 * same-named fields). Work is linear in the expanded field count.
 */
export function maxFieldRepeats(shape: OperationShape): { name: string; count: number } {
  let worst = { name: '', count: 0 };
  const fieldsOf = (set: SelectionSetNode, into: Map<string, FieldNode[]>, spread: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        const list = into.get(key);
        if (list) list.push(sel);
        else into.set(key, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) fieldsOf(sel.selectionSet, into, spread);
      else if (!spread.has(sel.name.value)) {
        // GraphQL compares a fragment spread once per selection set, however often it is repeated
        spread.add(sel.name.value);
        const f = shape.fragments.get(sel.name.value);
        if (f) fieldsOf(f.selectionSet, into, spread);
      }
    }
  };
  const visit = (sets: SelectionSetNode[]) => {
    const groups = new Map<string, FieldNode[]>();
    const spread = new Set<string>();
    for (const set of sets) fieldsOf(set, groups, spread);
    for (const [name, fields] of groups) {
      if (fields.length > worst.count) worst = { name, count: fields.length };
      const subs = fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
      if (subs.length) visit(subs);
    }
  };
  for (const op of shape.operations) visit([op.selectionSet]);
  return worst;
}
