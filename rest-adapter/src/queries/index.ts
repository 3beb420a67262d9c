// The GraphQL operations the REST routes send, one `<file>.graphql` per operation in this
// folder. `pnpm schema:check` validates every file here against the supergraph's API schema,
// so a schema change that would break a REST route fails the check.
import { readFileSync } from 'node:fs';
import type { Operation } from '../supergraph-client.ts';

const cache = new Map<string, Operation>();
const NAMED_OPERATION = /^\s*(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/gm;

/** Loads `src/queries/<file>.graphql` (once) and returns its single named operation. */
export function operation(file: string): Operation {
  const hit = cache.get(file);
  if (hit) return hit;
  const document = readFileSync(new URL(`./${file}.graphql`, import.meta.url), 'utf8');
  const names = [...document.matchAll(NAMED_OPERATION)].map((m) => m[1]!);
  if (names.length !== 1) throw new Error(`src/queries/${file}.graphql must hold exactly one named query or mutation`);
  const loaded: Operation = { name: names[0]!, document };
  cache.set(file, loaded);
  return loaded;
}
