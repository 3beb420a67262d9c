// Custom scalars checked at the gateway (docs/api.md#errors: bad input is BAD_USER_INPUT, HTTP 400).
// The supergraph's API schema knows only the names of DateTime, Choice and ChoiceFilterLookup,
// so the gateway used to accept `status: 42` or `created: {gt: "not-a-date"}` and the subgraph's
// refusal (HTTP 400) came back as an internal error. Here the gateway's schema gets the
// subgraphs' own coercion rules (@strata/shared scalars) as checks only: a literal or variable
// they refuse fails GraphQL validation at the gateway; an accepted one is forwarded unchanged.
import { valueFromASTUntyped, type GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { ChoiceFilterLookupScalar, ChoiceScalar, DateTimeScalar } from '@strata/shared';
import { typeTag } from './query-cost.ts';

const RULES: Record<string, GraphQLScalarType> = {
  DateTime: DateTimeScalar as unknown as GraphQLScalarType,
  Choice: ChoiceScalar,
  ChoiceFilterLookup: ChoiceFilterLookupScalar,
};

/** Installs the checks on the gateway's API schema (on every schema load). */
export function installScalarChecks(schema: GraphQLSchema): void {
  for (const [name, rule] of Object.entries(RULES)) {
    const type = schema.getType(name) as GraphQLScalarType | undefined;
    // by tag, not isScalarType: the schema may come from another copy of graphql (query-cost.ts)
    if (!type || typeTag(type) !== 'GraphQLScalarType') continue;
    type.parseValue = (value) => {
      rule.parseValue(value);
      return value;
    };
    type.parseLiteral = (ast, variables) => {
      rule.parseLiteral(ast, variables);
      return valueFromASTUntyped(ast, variables);
    };
  }
}
