// Bounds on user-supplied regular expressions (filter lookups `regex`/`i_regex`): Postgres
// evaluates them, and a pattern with back-references can take exponential time, so such
// patterns are refused and every pattern is length-limited (issue #8, docs/security.md).
import { errors } from './errors.ts';

export const MAX_REGEX_LENGTH = 512;

/** Throws BAD_USER_INPUT for a pattern Postgres cannot evaluate in bounded time. */
export function assertSafeRegex(pattern: unknown, field = 'regex'): string {
  if (typeof pattern !== 'string') throw errors.badInput(`${field} takes a string pattern`, { field });
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw errors.badInput(`${field} pattern is longer than ${MAX_REGEX_LENGTH} characters`, { field });
  }
  // \1..\9 (and \k<name>) are back-references: matching them is not bounded (NP-hard in general)
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1];
    if (next !== undefined && /[1-9k]/.test(next)) {
      throw errors.badInput(`${field} patterns may not use back-references (\\${next})`, { field });
    }
    i++; // skip the escaped character
  }
  return pattern;
}
