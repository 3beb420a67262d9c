// The branching subgraph's SDL (Federation 2.7): branches (CONTRACT §5) and installation info
// (GET /api/info). `printSchemaSdl()` is what `pnpm compose` reads; `typeDefs` is what the
// server builds. Diff, validate, merge and rebase run through the participants (resolvers/operations.ts).
import { parse, type DocumentNode } from 'graphql';
import { DATETIME_SCALAR_SDL, JSON_SCALAR_SDL, PAGINATION_SDL } from '@strata/shared';

const SDL = /* GraphQL */ `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
${DATETIME_SCALAR_SDL}

${JSON_SCALAR_SDL}

${PAGINATION_SDL}

"Which side wins a conflict"
enum ConflictSide {
  BRANCH
  MAIN
}

input BranchConflictResolutionInput {
  "the conflict's id from branch_diff / branch_validate"
  conflict_id: ID!
  selected: ConflictSide!
}

"The same attribute or relation changed on both sides, or changed on one side and deleted on the other"
type BranchConflictType {
  id: ID!
  kind: String!
  node_id: ID!
  "the attribute or relation, or * for a node deleted on one side"
  field: String!
  "BOTH_CHANGED, REMOVED_ON_MAIN or REMOVED_ON_BRANCH"
  type: String!
  base_value: JSON
  branch_value: JSON
  main_value: JSON
}

type BranchDiffElementType {
  "attribute or relation name"
  name: String!
  "value on main as of branched_from"
  old_value: JSON
  "value on the branch"
  new_value: JSON
  "value on main now, when main changed it too"
  main_value: JSON
  conflict: Boolean!
}

enum DiffAction {
  ADDED
  UPDATED
  REMOVED
}

type BranchDiffNodeType {
  kind: String!
  id: ID!
  display: String!
  action: DiffAction!
  conflict: Boolean!
  elements: [BranchDiffElementType!]!
  conflicts: [BranchConflictType!]!
}

type BranchDiffSummaryType {
  num_added: Int!
  num_updated: Int!
  num_removed: Int!
  num_conflicts: Int!
}

type BranchDiffType {
  branch: String!
  branched_from: DateTime!
  summary: BranchDiffSummaryType!
  total_count: Int!
  page_info: OffsetPaginationInfo!
  nodes: [BranchDiffNodeType!]!
}

type BranchValidateResult {
  ok: Boolean!
  conflicts: [BranchConflictType!]!
}

"""Lifecycle of a branch."""
enum BranchStatus {
  OPEN
  NEED_REBASE
  MERGING
  MERGED
  DELETED
}

"""A branch: an isolated line of changes on top of main."""
type BranchType @key(fields: "name") {
  id: ID!
  name: String!
  description: String
  status: BranchStatus!
  """the instant the branch sees main as of (isolated branches); rebase moves it to now"""
  branched_from: DateTime!
  """true: sees main as of branched_from; false: sees live main under its own changes"""
  isolated: Boolean!
  """username of the creator (null for main)"""
  created_by: String
  created_at: DateTime!
  """true for main, the default branch"""
  is_default: Boolean!
  """when the merge into main committed (status MERGED); null otherwise"""
  merged_at: DateTime
}

input BranchCreateInput {
  """lower-case letters, digits, - _ / . (3 to 250 characters, like a git branch name)"""
  name: String!
  description: String
  """default true: the branch sees main as of its creation until rebased"""
  isolated: Boolean = true
}

type BranchDeleteResult {
  ok: Boolean!
  id: ID!
  """the branch, now with status DELETED"""
  branch: BranchType!
}

"""Facts about this Strata installation."""
type InfoType {
  """stable per installation"""
  deployment_id: String!
  """Strata's version (semver)"""
  version: String!
}

type Query {
  """a branch by name (deleted branches too, with status DELETED); BRANCH_NOT_FOUND when missing"""
  branch(name: String!): BranchType
  """all branches, main first, then by name; deleted branches only with include_deleted"""
  branch_list(include_deleted: Boolean = false): [BranchType!]!
  """deployment id and version (REST: GET /api/info)"""
  info: InfoType!
  """what the branch changed since branched_from, per node and attribute, conflicts flagged"""
  branch_diff(name: String!, kinds: [String!], pagination: OffsetPaginationInput): BranchDiffType!
}

type Mutation {
  """creates an OPEN branch from main as of now"""
  branch_create(data: BranchCreateInput!): BranchType!
  """deletes a branch (status DELETED); main cannot be deleted"""
  branch_delete(name: String!): BranchDeleteResult!
  """lists the conflicts; sets NEED_REBASE when there are some (OPEN when none)"""
  branch_validate(name: String!): BranchValidateResult!
  """applies the branch to main atomically; CONFLICT while a conflict has no resolution"""
  branch_merge(name: String!, resolutions: [BranchConflictResolutionInput!]): BranchType!
  """moves branched_from to now, keeping the branch's changes (conflicts need resolutions)"""
  branch_rebase(name: String!, resolutions: [BranchConflictResolutionInput!]): BranchType!
}
`;

export const typeDefs: DocumentNode = parse(SDL);

/** The subgraph SDL as text (input of `pnpm compose`). */
export function printSchemaSdl(): string {
  return `${SDL.trim()}\n`;
}
