// SDL that several subgraphs declare: composition needs the definitions identical (input types
// are merged by intersection, so a field missing in one subgraph vanishes from the supergraph).
// Subgraphs interpolate these instead of writing their own copies.

export const DATETIME_SCALAR_SDL = `"ISO 8601 date-time, e.g. 2024-01-15T10:30:00Z"
scalar DateTime`;

export const JSON_SCALAR_SDL = `"Any JSON value"
scalar JSON`;

export const PAGINATION_SDL = `type OffsetPaginationInfo @shareable {
  offset: Int!
  limit: Int!
}

"Offset pagination (NetBox v2). \`start\`: keyset pagination, rows after this id in id order (large exports)."
input OffsetPaginationInput {
  offset: Int = 0
  limit: Int
  start: ID
}`;
