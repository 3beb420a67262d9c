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

"String lookups (NetBox v2)"
input ChangeStrLookup {
  exact: String
  i_exact: String
  contains: String
  i_contains: String
  starts_with: String
  i_starts_with: String
  ends_with: String
  i_ends_with: String
  in_list: [String!]
  is_null: Boolean
}

input ChangeIDLookup {
  exact: ID
  in_list: [ID!]
}

input ChangeTimeRange {
  start: DateTime
  end: DateTime
}

input ChangeTimeLookup {
  exact: DateTime
  gt: DateTime
  gte: DateTime
  lt: DateTime
  lte: DateTime
  range: ChangeTimeRange
  in_list: [DateTime!]
}

"Change log filters; \`OR: X\` means (the other conditions) OR X, \`NOT: X\` ANDs in not-X"
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
  AND: ObjectChangeFilter
  OR: ObjectChangeFilter
  NOT: ObjectChangeFilter
}

enum Ordering {
  ASC
  DESC
}

"Sort order of changelog_list (default: newest first)"
input ObjectChangeOrder {
  time: Ordering
  id: Ordering
  changed_object_type: Ordering
  changed_object_id: Ordering
  action: Ordering
  user_name: Ordering
  request_id: Ordering
  branch: Ordering
  object_repr: Ordering
}

"Every inventory node: history adds its change log"
type Node @key(fields: "id") @interfaceObject {
  id: ID!
  "changes of this node, newest first"
  changelog(pagination: OffsetPaginationInput): [ObjectChangeType!]!
}

type Query {
  "the change log, newest first (time travel: only changes up to \`at\`)"
  changelog_list(filters: ObjectChangeFilter, pagination: OffsetPaginationInput, order: ObjectChangeOrder): ObjectChangeTypeOffsetPaginated!
  "one change by id (NODE_NOT_FOUND when unknown or not visible at \`at\`)"
  changelog(id: ID!): ObjectChangeType!
}
`;

export const typeDefs = parse(SDL);

export function printSchemaSdl(): string {
  return SDL;
}
