// Checks on the raw GraphQL request before anything else looks at it (docs/api.md#errors "every bad
// input is a clear 4xx"): JSON nesting depth measured on the text BEFORE JSON.parse (variables
// nested 5,000 deep crash later stages), NUL characters in variables or string literals
// (PostgreSQL text cannot hold them), and query parameters that must be given once.
import type { Request } from 'express';
import { Kind, visit, type DocumentNode } from 'graphql';
import { errors } from '@strata/shared';

/** Nesting of objects/arrays a request body (or `variables` parameter) may have. */
export const MAX_JSON_DEPTH = 64;

/** The deepest object/array nesting of a JSON text, stopping as soon as it passes `max`. */
export function jsonDepthExceeds(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Parses a JSON text of bounded nesting; BAD_USER_INPUT (HTTP 400) otherwise. */
export function parseJson(text: string, what: string): unknown {
  if (jsonDepthExceeds(text)) throw errors.badInput(`${what} is nested too deeply (max ${MAX_JSON_DEPTH} levels)`);
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badInput(`Malformed JSON ${what}`);
  }
}

/** Refuses a NUL character anywhere in a (depth-bounded) JSON value, keys included. */
export function assertNoNul(value: unknown, where: string): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw errors.badInput(`${where} must not contain NUL characters`);
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes('\u0000')) throw errors.badInput(`${where} must not contain NUL characters`);
        stack.push(inner);
      }
    }
  }
}

/** Refuses NUL characters in the string literals of a document (`"\u0000"` escapes). */
export function assertNoNulLiterals(doc: DocumentNode): void {
  visit(doc, {
    [Kind.STRING](node) {
      if (node.value.includes('\u0000')) throw errors.badInput('String values must not contain NUL characters');
    },
  });
}

/** Query parameters of a GraphQL request that mean one thing: given twice is a 400. */
const SINGLE_PARAMS = ['at', 'branch', 'query', 'variables', 'operationName', 'extensions'];

export function assertSingleParams(req: Request): void {
  const q = req.query as Record<string, unknown>;
  for (const name of SINGLE_PARAMS) {
    const v = q[name];
    if (v !== undefined && typeof v !== 'string') throw errors.badInput(`Query parameter "${name}" may be given only once`);
  }
}
