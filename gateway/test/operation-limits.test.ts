// The gateway's document checks on their own (no services): the linear limit pass (fragments
// memoized, cycles), merged-selection repeats, the cost estimate, the byte-bounded parse cache,
// the JSON depth scan and branch paths. The same behaviour end to end: hardening.test.ts.
import { buildSchema, parse } from 'graphql';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { branchFromPath } from '../src/branch-path.ts';
import { enforceLimits, maxFieldRepeats, measureOperation, readLimits, selectOperation, type OperationShape } from '../src/limits.ts';
import { documentParser } from '../src/parse-cache.ts';
import { enforceCost } from '../src/query-cost.ts';
import { jsonDepthExceeds } from '../src/request-input.ts';

const shapeOf = (q: string, op?: string): OperationShape => selectOperation(parse(q), op)!;
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions?: { code?: string } }).extensions?.code;
  }
  return undefined;
};

describe('limits', () => {
  const limits = readLimits({});

  it('reads its defaults and the environment', () => {
    expect(limits).toMatchObject({ maxAliases: 10, maxDepth: 15, maxCost: 50_000, maxPageSize: 1000, maxTokens: 10_000 });
    expect(readLimits({ STRATA_GRAPHQL_MAX_COST: '5000', STRATA_GRAPHQL_MAX_FIELD_REPEATS: '3' })).toMatchObject({ maxCost: 5000, maxFieldRepeats: 3 });
    expect(() => readLimits({ STRATA_GRAPHQL_MAX_COST: 'lots' })).toThrow(/STRATA_GRAPHQL_MAX_COST/);
  });

  it('counts fragment bombs without expanding them', () => {
    const levels = 60;
    const frags = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const m = measureOperation(shapeOf(`{ ...F0 } ${frags} fragment F${levels} on Query { a: __typename }`));
    expect(m.selections).toBe(2 ** levels);
    expect(m.aliases).toBe(2 ** levels);
    expect(m.depth).toBe(0);
    expect(codeOf(() => enforceLimits(shapeOf(`{ ...F0 } ${frags} fragment F${levels} on Query { __typename }`), limits))).toBe('QUERY_TOO_COMPLEX');
  });

  it('measures depth and aliases through fragments like before, and finds cycles and unknown fragments', () => {
    const m = measureOperation(shapeOf(`{ a: nest { ...F } } fragment F on Nest { child { b: child { name } } ...G } fragment G on Nest { child { name } }`));
    expect(m).toMatchObject({ aliases: 2, depth: 3, rootFields: 1, selections: 6 });
    expect(codeOf(() => measureOperation(shapeOf(`{ ...A } fragment A on Q { x { ...B } } fragment B on Q { ...A }`)))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => measureOperation(shapeOf(`{ ...Missing }`)))).toBe('BAD_USER_INPUT');
    expect(selectOperation(parse(`query A { a } query B { b }`))).toBeNull();
    expect(codeOf(() => measureOperation(shapeOf(`{ a } fragment Unused on Q { b }`)))).toBe('BAD_USER_INPUT');
    // every operation counts, not only the selected one
    expect(measureOperation(shapeOf(`query A { a: x } query B { b: y c: z }`, 'A'))).toMatchObject({ aliases: 3, rootFields: 3, selections: 3 });
    expect(maxFieldRepeats(shapeOf(`query A { a } query B { x(n: 1) x(n: 2) x(n: 3) }`, 'A'))).toEqual({ name: 'x', count: 3 });
    expect(selectOperation(parse(`query A { a } query B { ...F } fragment F on Q { c d }`), 'B')!.rootFields).toEqual(['c', 'd']);
  });

  it('counts same-named fields the way GraphQL merges them', () => {
    expect(maxFieldRepeats(shapeOf(`{ a { x } a { x y } ... on Q { a { x x } } }`))).toEqual({ name: 'x', count: 4 });
    // a fragment spread twice in one selection set is compared once
    expect(maxFieldRepeats(shapeOf(`{ ...F ...F a } fragment F on Q { a }`))).toEqual({ name: 'a', count: 2 });
    const many = `{ ${Array.from({ length: 11 }, (_, i) => `__type(name: "t${i}") { name }`).join(' ')} }`;
    expect(codeOf(() => enforceLimits(shapeOf(many), limits))).toBe('QUERY_TOO_COMPLEX');
    expect(codeOf(() => enforceLimits(shapeOf(`{ ${Array.from({ length: 51 }, () => 'a @skip(if: false)').join(' ')} }`), limits))).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('query cost', () => {
  const schema = buildSchema(`
    input OffsetPaginationInput { offset: Int = 0, limit: Int }
    type Interface { name: String, device: Device }
    type Device { name: String, interfaces(pagination: OffsetPaginationInput): [Interface!]!, tags: [String!]! }
    type DevicePage { results: [Device!]!, total_count: Int }
    union Thing = Device | Interface
    type Query { device_list(pagination: OffsetPaginationInput): DevicePage!, things: [Thing!]! }
  `);
  const limits = { maxCost: 50_000, maxPageSize: 1000 };
  const cost = (q: string, variables: Record<string, unknown> = {}, l = limits) => enforceCost(shapeOf(q), schema, variables, l);

  it('multiplies page sizes along nested lists', () => {
    expect(cost(`{ device_list { total_count } }`)).toBe(100);
    expect(cost(`{ device_list(pagination: {limit: 100}) { results { name tags interfaces { name } } } }`)).toBe(100 + 100 * 100);
    expect(cost(`{ device_list(pagination: {limit: 5}) { results { interfaces(pagination: {limit: 2}) { device { interfaces(pagination: {limit: 3}) { name } } } } } }`)).toBe(
      5 + 10 + 30,
    );
    expect(cost(`{ device_list(pagination: {limit: 1000000}) { total_count } }`)).toBe(1000);
    expect(
      cost(`query($p: OffsetPaginationInput, $l: Int) { device_list(pagination: $p) { results { interfaces(pagination: {limit: $l}) { name } } } }`, { p: { limit: 10 }, l: 7 }),
    ).toBe(80);
    expect(cost(`{ things { ... on Device { interfaces(pagination: {limit: 4}) { name } } } }`)).toBe(4);
    expect(cost(`{ ...F } fragment F on Query { device_list(pagination: {limit: 3}) { results { ...G } } } fragment G on Device { interfaces { name } }`)).toBe(3 + 300);
    expect(cost(`{ __schema { types { name } } __type(name: "Device") { fields { name } } }`)).toBe(0);
  });

  it('refuses past the limit with QUERY_TOO_COMPLEX', () => {
    expect(codeOf(() => cost(`{ device_list(pagination: {limit: 1000}) { results { interfaces { name } } } }`))).toBe('QUERY_TOO_COMPLEX');
    expect(codeOf(() => cost(`{ device_list { results { interfaces { name } } } }`, {}, { maxCost: 5000, maxPageSize: 1000 }))).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('parsing', () => {
  it('refuses documents over the token limit with QUERY_TOO_COMPLEX and keeps the cache within its bytes', () => {
    const parser = documentParser({ maxTokens: 1000, maxBytes: 1_000_000 });
    expect(codeOf(() => parser.parse(`{ ${'a '.repeat(2000)}}`))).toBe('QUERY_TOO_COMPLEX');
    expect(codeOf(() => parser.parse(`{ a `))).toBe('BAD_USER_INPUT');
    expect(parser.entries).toBe(0);
    for (let i = 0; i < 200; i++) parser.parse(`{ ${'a '.repeat(300)} b${i} }`);
    expect(parser.heldBytes).toBeLessThanOrEqual(1_000_000);
    expect(parser.entries).toBeLessThan(200);
    expect(parser.parse(`{ x }`)).toBe(parser.parse(`{ x }`));
  });

  it('measures JSON nesting on the text, ignoring brackets inside strings', () => {
    expect(jsonDepthExceeds('{"a":[[[1]]]}', 4)).toBe(false);
    expect(jsonDepthExceeds('{"a":[[[[1]]]]}', 4)).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(100)}\\"{{{"}`, 2)).toBe(false);
    expect(jsonDepthExceeds(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toBe(true);
  });
});

describe('branch paths', () => {
  const req = (branch?: string[]) => ({ params: branch ? { branch } : {} }) as unknown as Request;
  it('ignores trailing slashes and refuses names no branch can have', () => {
    expect(branchFromPath(req())).toBe('main');
    expect(branchFromPath(req(['main', '']))).toBe('main');
    expect(branchFromPath(req(['', '']))).toBe('main');
    expect(branchFromPath(req(['team', 'feature-1', '']))).toBe('team/feature-1');
    expect(branchFromPath(req(['team/feature-1']))).toBe('team/feature-1');
    for (const bad of [['%'], ['\u0000'], ['a b'], ['a', '', 'b'], ['x'.repeat(256)]]) {
      expect(
        codeOf(() => branchFromPath(req(bad))),
        JSON.stringify(bad),
      ).toBe('BAD_USER_INPUT');
    }
  });
});
