// The DateTime scalar: ISO 8601 strings in, Date objects inside, ISO strings (UTC) out.
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
  description: 'ISO 8601 date-time, e.g. 2024-01-15T10:30:00Z',
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

/** Any JSON value (diff values). */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, vars) => valueFromASTUntyped(ast, vars),
});
