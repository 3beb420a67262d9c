// The branching subgraph's SDL (Federation 2.7): branches (docs/api.md#mutations) and installation info
// (GET /api/info). `printSchemaSdl()` is what `pnpm compose` reads; `typeDefs` is what the
// server builds. Diff, validate, merge and rebase run through the participants (resolvers/operations.ts).
// The SDL lives in ../../schema.graphql (one source, read at start, as in Apollo's demo subgraphs).
import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

const SDL = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

export const typeDefs: DocumentNode = parse(SDL);

/** The subgraph SDL as text (input of `pnpm compose`). */
export function printSchemaSdl(): string {
  return SDL;
}
