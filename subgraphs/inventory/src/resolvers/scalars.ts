// Custom scalars of the inventory subgraph: DateTime, JSON, Choice and ChoiceFilterLookup
// (which accepts both `STATUS_ACTIVE` and `{exact: STATUS_ACTIVE}`, CONTRACT §4).
import { GraphQLError, GraphQLScalarType, Kind as AstKind, valueFromASTUntyped, type ValueNode } from 'graphql';

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (v) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null),
  parseValue: (v) => parseDate(v),
  parseLiteral: (ast) => parseDate(ast.kind === AstKind.STRING ? ast.value : null),
});

function parseDate(v: unknown): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new GraphQLError('DateTime must be an ISO 8601 string');
  return new Date(v).toISOString();
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

export const Choice = new GraphQLScalarType({
  name: 'Choice',
  serialize: (v) => v,
  parseValue: (v) => {
    if (typeof v !== 'string') throw new GraphQLError('Choice must be an enum name or value string');
    return v;
  },
  parseLiteral: (ast) => {
    if (ast.kind === AstKind.ENUM || ast.kind === AstKind.STRING) return ast.value;
    throw new GraphQLError('Choice must be an enum name (STATUS_ACTIVE) or a value ("active")');
  },
});

function lookupFromAst(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  if (ast.kind === AstKind.ENUM || ast.kind === AstKind.STRING) return ast.value;
  if (ast.kind === AstKind.NULL) return null;
  if (ast.kind === AstKind.LIST || ast.kind === AstKind.OBJECT) return valueFromASTUntyped(ast, variables);
  if (ast.kind === AstKind.VARIABLE) return variables?.[ast.name.value];
  throw new GraphQLError('Expected an enum name or a lookup object ({exact: ...}, {in_list: [...]})');
}

export const ChoiceFilterLookup = new GraphQLScalarType({
  name: 'ChoiceFilterLookup',
  serialize: (v) => v,
  parseValue: (v) => {
    if (typeof v === 'string' || Array.isArray(v) || (v && typeof v === 'object')) return v;
    throw new GraphQLError('Expected an enum name or a lookup object');
  },
  parseLiteral: (ast, variables) => lookupFromAst(ast, variables),
});

export const scalarResolvers = { DateTime, JSON: JSONScalar, Choice, ChoiceFilterLookup };
