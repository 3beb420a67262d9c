// The history subgraph's SDL: the change log (`changelog_list`, `changelog`) and a `changelog`
// field on every inventory node through the `Node` entity interface (@interfaceObject).
// The SDL lives in ../../schema.graphql (one source, read at start, as in Apollo's demo subgraphs).
import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

const SDL = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');

export const typeDefs: DocumentNode = parse(SDL);

/** The subgraph SDL as text (input of `pnpm compose`). */
export function printSchemaSdl(): string {
  return SDL;
}
