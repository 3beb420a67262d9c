// Scalars every subgraph declares (see sdl.ts): DateTime (ISO 8601 strings in, Date objects
// inside, ISO strings in UTC out) and JSON (any value).
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

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
