// The branching subgraph's SDL (Federation 2.7): branches (CONTRACT §5) and installation info
// (GET /api/info). `printSchemaSdl()` is what `pnpm compose` reads; `typeDefs` is what the
// server builds. Rebase, validate, merge and diff come with later issues.
import { parse, type DocumentNode } from 'graphql';
import { DATETIME_SCALAR_SDL } from '@strata/shared';

const SDL = /* GraphQL */ `
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

${DATETIME_SCALAR_SDL}

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
}

type Mutation {
  """creates an OPEN branch from main as of now"""
  branch_create(data: BranchCreateInput!): BranchType!
  """deletes a branch (status DELETED); main cannot be deleted"""
  branch_delete(name: String!): BranchDeleteResult!
}
`;

export const typeDefs: DocumentNode = parse(SDL);

/** The subgraph SDL as text (input of `pnpm compose`). */
export function printSchemaSdl(): string {
  return `${SDL.trim()}\n`;
}
