// Branch name rules (like git branch names, restricted to URL-safe lower-case characters so a
// name can sit in `/graphql/{branch}` and `?branch=` as is). Returns a reason, or null when valid.
export const DEFAULT_BRANCH = 'main';
export const BRANCH_NAME_MIN = 3;
export const BRANCH_NAME_MAX = 250;

const ALLOWED = /^[a-z0-9._/-]+$/;

export function branchNameProblem(name: string): string | null {
  if (name.length < BRANCH_NAME_MIN || name.length > BRANCH_NAME_MAX) {
    return `Branch name must be ${BRANCH_NAME_MIN} to ${BRANCH_NAME_MAX} characters long`;
  }
  if (!ALLOWED.test(name)) {
    return 'Branch name may only contain lower-case letters, digits and the characters - _ / .';
  }
  if (name === DEFAULT_BRANCH) return `"${DEFAULT_BRANCH}" is the default branch and cannot be created`;
  if (/^[-_./]/.test(name)) return 'Branch name must start with a letter or a digit';
  if (name.endsWith('/') || name.endsWith('.')) return 'Branch name must not end with "/" or "."';
  if (name.includes('..') || name.includes('//')) return 'Branch name must not contain ".." or "//"';
  for (const part of name.split('/')) {
    if (part.startsWith('.') || part.startsWith('-')) return 'A branch name component must not start with "." or "-"';
    if (part.endsWith('.lock')) return 'A branch name component must not end with ".lock"';
  }
  return null;
}
