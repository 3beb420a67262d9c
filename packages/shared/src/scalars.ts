// Scalars every subgraph declares (see sdl.ts): DateTime (ISO 8601 strings in, Date objects
// inside, ISO strings in UTC out) and JSON (any value); and the inventory's Choice and
// ChoiceFilterLookup, here so that the gateway checks input against the same rules before any
// subgraph is called (gateway/src/scalar-checks.ts).
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseIso(value: unknown): Date {
  if (typeof value !== 'string' || !ISO.test(value.trim())) {
    throw new GraphQLError(`DateTime must be an ISO 8601 date-time with offset, got ${JSON.stringify(value)}`);
  }
  const d = new Date(value.trim());
  if (Number.isNaN(d.getTime())) throw new GraphQLError(`Invalid DateTime: ${JSON.stringify(value)}`);
  return d;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO 8601 date-time with offset, e.g. 2024-01-15T10:30:00.000Z',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    return parseIso(value).toISOString();
  },
  parseValue: parseIso,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseIso(ast.value);
  },
});

/** Any JSON value. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, vars) => valueFromASTUntyped(ast, vars),
});

/** An enum-like attribute: the enum name (`STATUS_ACTIVE`) or its value (`"active"`). */
export const ChoiceScalar = new GraphQLScalarType({
  name: 'Choice',
  serialize: (v) => v,
  parseValue: (v) => {
    if (typeof v !== 'string') throw new GraphQLError('Choice must be an enum name or value string');
    return v;
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.ENUM || ast.kind === Kind.STRING) return ast.value;
    throw new GraphQLError('Choice must be an enum name (STATUS_ACTIVE) or a value ("active")');
  },
});

function lookupFromAst(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  if (ast.kind === Kind.ENUM || ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.NULL) return null;
  if (ast.kind === Kind.LIST || ast.kind === Kind.OBJECT) return valueFromASTUntyped(ast, variables);
  if (ast.kind === Kind.VARIABLE) return variables?.[ast.name.value];
  throw new GraphQLError('Expected an enum name or a lookup object ({exact: ...}, {in_list: [...]})');
}

/** A filter on a Choice attribute: `STATUS_ACTIVE` or a lookup `{exact: ...}`, `{in_list: [...]}` (docs/api.md#queries). */
export const ChoiceFilterLookupScalar = new GraphQLScalarType({
  name: 'ChoiceFilterLookup',
  serialize: (v) => v,
  parseValue: (v) => {
    if (typeof v === 'string' || Array.isArray(v) || (v && typeof v === 'object')) return v;
    throw new GraphQLError('Expected an enum name or a lookup object');
  },
  parseLiteral: (ast, variables) => lookupFromAst(ast, variables),
});
