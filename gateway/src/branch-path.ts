// The branch of a GraphQL request from its path, `/graphql/{branch}` (docs/api.md#paths): Express
// has already decoded each path segment once (a name with a slash may come as `a/b` or
// `a%2Fb`); nothing is decoded twice. A trailing slash is ignored (`/graphql/main/` is main,
// `/graphql/` the default branch). Names no branch can have (control characters, `%`, spaces,
// empty segments, over 255 characters) are BAD_USER_INPUT; well-formed unknown names are left to
// the branching subgraph (BRANCH_NOT_FOUND).
import type { Request } from 'express';
import { errors } from '@strata/shared';

export const DEFAULT_BRANCH = 'main';
export const MAX_BRANCH_PATH = 255;
/** what a branch name is made of (branching's rules are stricter; case is left to it) */
const NAME = /^[A-Za-z0-9._/-]+$/;

export function branchFromPath(req: Request): string {
  const raw = (req.params as { branch?: string | string[] }).branch;
  const segments = raw === undefined ? [] : Array.isArray(raw) ? [...raw] : [raw];
  while (segments.length && segments[segments.length - 1] === '') segments.pop();
  if (!segments.length) return DEFAULT_BRANCH;
  const name = segments.join('/');
  if (name.length > MAX_BRANCH_PATH) throw errors.badInput(`Branch name in the path is too long (max ${MAX_BRANCH_PATH} characters)`);
  if (segments.includes('') || !NAME.test(name)) {
    throw errors.badInput(`Invalid branch name in the path: ${JSON.stringify(name)} (letters, digits and - _ / . only)`);
  }
  return name;
}
