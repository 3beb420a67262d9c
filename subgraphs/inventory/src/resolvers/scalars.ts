// Custom scalars of the inventory subgraph: Choice and ChoiceFilterLookup (DateTime and JSON
// come from @strata/shared)
// (which accepts both `STATUS_ACTIVE` and `{exact: STATUS_ACTIVE}`, CONTRACT §4).
import { GraphQLError, GraphQLScalarType, Kind as AstKind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { DateTimeScalar, JSONScalar } from '@strata/shared';

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

export const scalarResolvers = { DateTime: DateTimeScalar, JSON: JSONScalar, Choice, ChoiceFilterLookup };
