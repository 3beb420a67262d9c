// The history subgraph's SDL: the change log (`changelog_list`, `changelog`) and a `changelog`
// field on every inventory node through the `Node` entity interface (@interfaceObject).
import { parse } from 'graphql';
import { DATETIME_SCALAR_SDL, JSON_SCALAR_SDL, PAGINATION_SDL } from '@strata/shared';

const SDL = /* GraphQL */ `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@interfaceObject"])

${DATETIME_SCALAR_SDL}

${JSON_SCALAR_SDL}

${PAGINATION_SDL}

"One recorded change of an inventory node (NetBox's ObjectChange)"
type ObjectChangeType {
  id: ID!
  time: DateTime!
  user_name: String
  request_id: String!
  "create, update or delete"
  action: String!
  "the kind, e.g. DcimSite"
  changed_object_type: String!
  changed_object_id: ID!
  object_repr: String!
  prechange_data: JSON
  postchange_data: JSON
  branch: String!
}

type ObjectChangeTypeOffsetPaginated {
  results: [ObjectChangeType!]!
  total_count: Int!
  page_info: OffsetPaginationInfo!
}

input ChangeStrLookup {
  exact: String
  in_list: [String!]
  i_contains: String
}

input ChangeIDLookup {
  exact: ID
  in_list: [ID!]
}

input ChangeTimeLookup {
  gt: DateTime
  gte: DateTime
  lt: DateTime
  lte: DateTime
}

input ObjectChangeFilter {
  id: ChangeIDLookup
  changed_object_type: ChangeStrLookup
  changed_object_id: ChangeIDLookup
  object_repr: ChangeStrLookup
  action: ChangeStrLookup
  user_name: ChangeStrLookup
  request_id: ChangeStrLookup
  branch: ChangeStrLookup
  time: ChangeTimeLookup
}

"Every inventory node: history adds its change log"
type Node @key(fields: "id") @interfaceObject {
  id: ID!
  "changes of this node, newest first"
  changelog(pagination: OffsetPaginationInput): [ObjectChangeType!]!
}

type Query {
  changelog_list(filters: ObjectChangeFilter, pagination: OffsetPaginationInput): ObjectChangeTypeOffsetPaginated!
  changelog(id: ID!): ObjectChangeType!
}
`;

export const typeDefs = parse(SDL);

export function printSchemaSdl(): string {
  return SDL;
}
