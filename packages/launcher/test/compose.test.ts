// Composition and schema checks with fixture SDLs: composition errors fail, breaking changes of
// the API schema are caught (and additive ones pass), stale generated files and a wrong
// federation_version are reported, shipped operations are validated; the CLI end to end on a
// scratch repository (git baseline).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, SUBGRAPHS } from '@strata/shared/config';
import { runCli } from '../src/compose.ts';
import {
  apiSchemaOf,
  apiSchemaSdl,
  composeFromSdls,
  CompositionError,
  evaluateCheck,
  federationVersionProblem,
  installedCompositionVersion,
  parseSupergraphConfig,
  validateOperations,
  withHeader,
  type CheckInput,
  type SubgraphSdl,
} from '../src/supergraph.ts';
import { REPO } from './helpers.ts';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

const products = (extraField = '') => `${LINK}
type Query {
  product(id: ID!): ProductType
  product_list: [ProductType!]!
}
type ProductType @key(fields: "id") {
  id: ID!
  name: String!
  price: Int
  ${extraField}
}
`;

const reviews = `${LINK}
type Query { review_list: [ReviewType!]! }
type ReviewType @key(fields: "id") {
  id: ID!
  body: String!
  product: ProductType!
}
type ProductType @key(fields: "id") {
  id: ID!
  reviews: [ReviewType!]!
}
`;

const sdls = (productsSdl = products()): SubgraphSdl[] => [
  { name: 'products', url: 'http://localhost:4101/graphql', sdl: productsSdl },
  { name: 'reviews', url: 'http://localhost:4102/graphql', sdl: reviews },
];

/** A check input where the committed files match `current` and the baseline is `baseline`. */
function checkInput(current: SubgraphSdl[], baseline: SubgraphSdl[] | undefined, extra: Partial<CheckInput> = {}): CheckInput {
  return {
    federationVersion: `=${installedCompositionVersion()}`,
    subgraphs: current,
    committedSubgraphFiles: Object.fromEntries(current.map((s) => [s.name, withHeader(s.sdl)])),
    committedSupergraph: withHeader(composeFromSdls(current).supergraphSdl),
    baselineSupergraph: baseline ? withHeader(composeFromSdls(baseline).supergraphSdl) : undefined,
    operations: [],
    ...extra,
  };
}

describe('composition', () => {
  it('composes subgraph SDLs into a supergraph whose API schema has no federation internals', () => {
    const { supergraphSdl } = composeFromSdls(sdls());
    expect(supergraphSdl).toContain('join__Graph');
    const api = apiSchemaSdl(supergraphSdl);
    expect(api).toContain('reviews: [ReviewType!]!');
    expect(api).not.toMatch(/join__|link__/);
  });

  it('fails with every composition error, naming the code', () => {
    const conflicting = `${LINK}
type Query { other: ProductType }
type ProductType @key(fields: "id") { id: ID! name: Int! }
`;
    let error: unknown;
    try {
      composeFromSdls([...sdls(), { name: 'other', url: 'http://localhost:4103/graphql', sdl: conflicting }]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CompositionError);
    const e = error as CompositionError;
    expect(e.errors.length).toBeGreaterThan(0);
    expect(e.message).toMatch(/\[(FIELD_TYPE_MISMATCH|INVALID_FIELD_SHARING)\]/);
  });

  it('reports an SDL that does not parse', () => {
    expect(() => composeFromSdls([{ name: 'bad', url: 'http://x/graphql', sdl: 'type {' }])).toThrow(/\[bad\] SDL does not parse/);
  });
});

describe('schema check', () => {
  it('passes an additive change', async () => {
    const report = await evaluateCheck(checkInput(sdls(products('sku: String')), sdls()));
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.changes?.breaking).toEqual([]);
    expect(report.changes?.safe.map((c) => c.path)).toContain('ProductType.sku');
  });

  it('fails on a breaking change and prints it', async () => {
    const withoutPrice = products().replace('price: Int', '');
    const report = await evaluateCheck(checkInput(sdls(withoutPrice), sdls()));
    expect(report.ok).toBe(false);
    expect(report.changes?.breaking.map((c) => c.path)).toEqual(['ProductType.price']);
    expect(report.errors.join('\n')).toMatch(/breaking change\(s\)[\s\S]*ProductType\.price/);
  });

  it('fails on a nullable field made required in an input-facing argument (type change)', async () => {
    const changed = products().replace('product(id: ID!)', 'product(id: ID!, strict: Boolean!)');
    const report = await evaluateCheck(checkInput(sdls(changed), sdls()));
    expect(report.ok).toBe(false);
    expect(report.changes?.breaking[0]?.message).toMatch(/strict/);
  });

  it('--allow-breaking turns breaking changes into warnings', async () => {
    const withoutPrice = products().replace('price: Int', '');
    const report = await evaluateCheck({ ...checkInput(sdls(withoutPrice), sdls()), allowBreaking: true });
    expect(report.ok).toBe(true);
    expect(report.warnings.join('\n')).toMatch(/ProductType\.price/);
  });

  it('reports stale or missing generated files and tells the user to run pnpm compose', async () => {
    const input = checkInput(sdls(products('sku: String')), sdls());
    input.committedSubgraphFiles.products = withHeader(products());
    delete input.committedSubgraphFiles.reviews;
    input.committedSupergraph = undefined;
    const report = await evaluateCheck(input);
    expect(report.ok).toBe(false);
    const text = report.errors.join('\n');
    expect(text).toMatch(/run `pnpm compose`/);
    expect(text).toMatch(/schema\.graphql of products differs/);
    expect(text).toMatch(/subgraphs\/reviews\/schema\.graphql is missing/);
    expect(text).toMatch(/supergraph\.graphql is missing/);
  });

  it('takes a hand-written schema.graphql (no generated header) as its subgraph source', async () => {
    const input = checkInput(sdls(), sdls());
    input.committedSubgraphFiles.reviews = reviews; // the source itself, read by the subgraph at start
    const report = await evaluateCheck(input);
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('reports composition errors as a failed check', async () => {
    const broken = sdls();
    broken[1] = { ...broken[1]!, sdl: reviews.replace('reviews: [ReviewType!]!', 'name: Int!') };
    const input = checkInput(sdls(), sdls());
    input.subgraphs = broken;
    const report = await evaluateCheck(input);
    expect(report.ok).toBe(false);
    expect(report.errors.join('\n')).toMatch(/Composition failed/);
  });

  it('checks federation_version against the installed @apollo/composition', async () => {
    expect(federationVersionProblem(`=${installedCompositionVersion()}`)).toBeUndefined();
    expect(federationVersionProblem('=2.3.0', '2.14.4')).toMatch(/federation_version: =2\.14\.4/);
    const report = await evaluateCheck({ ...checkInput(sdls(), sdls()), federationVersion: '2' });
    expect(report.ok).toBe(false);
  });

  it('validates shipped operations (fragments may live in other files)', async () => {
    const api = apiSchemaOf(composeFromSdls(sdls()).supergraphSdl);
    const ok = [
      { file: 'docs/fragments.graphql', text: 'fragment P on ProductType { id name }' },
      { file: 'docs/q.graphql', text: 'query Q($id: ID!) { product(id: $id) { ...P reviews { body } } }' },
    ];
    expect(validateOperations(api, ok)).toEqual([]);
    const bad = [{ file: 'packages/sdk/q.graphql', text: 'query { product(id: "1") { colour } }' }];
    expect(validateOperations(api, bad)[0]).toMatch(/^packages\/sdk\/q\.graphql:1:\d+: Cannot query field "colour"/);

    // a removed field used by a shipped operation fails the check
    const withoutPrice = products().replace('price: Int', '');
    const report = await evaluateCheck({
      ...checkInput(sdls(withoutPrice), sdls()),
      operations: [{ file: 'docs/price.graphql', text: 'query { product_list { price } }' }],
    });
    expect(report.errors.join('\n')).toMatch(/docs\/price\.graphql.*Cannot query field "price"/);
  });
});

describe('supergraph.yaml of this repository', () => {
  const config = parseSupergraphConfig(fs.readFileSync(path.join(REPO, 'supergraph.yaml'), 'utf8'), REPO);

  it('pins the installed composition version in Rover format', () => {
    expect(config.federationVersion).toBe(`=${installedCompositionVersion()}`);
  });

  it('lists every subgraph with its default port and generated schema file', () => {
    expect(config.subgraphs.map((s) => s.name).sort()).toEqual([...SUBGRAPHS].sort());
    for (const s of config.subgraphs) {
      expect(s.routingUrl).toBe(`http://localhost:${DEFAULT_PORTS[s.name as keyof typeof DEFAULT_PORTS]}/graphql`);
      expect(path.relative(REPO, s.schemaFile)).toBe(`subgraphs/${s.name}/schema.graphql`);
      expect(path.relative(REPO, s.schemaModule)).toBe(`subgraphs/${s.name}/src/schema/index.ts`);
    }
  });
});

describe('compose CLI on a scratch repository', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-compose-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  // each fixture subgraph reads its SDL from sdl.graphql at call time, so tests can edit it
  const writeSubgraph = (name: string, sdl: string) => {
    const dir = path.join(root, 'subgraphs', name);
    fs.mkdirSync(path.join(dir, 'src', 'schema'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sdl.graphql'), sdl);
    fs.writeFileSync(
      path.join(dir, 'src', 'schema', 'index.ts'),
      `import fs from 'node:fs';\nexport function printSchemaSdl(): string {\n  return fs.readFileSync(new URL('../../sdl.graphql', import.meta.url), 'utf8');\n}\n`,
    );
  };
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, stdio: 'pipe' });
  const quiet = async (fn: () => Promise<number>) => {
    const logs: string[] = [];
    const orig = { log: console.log, warn: console.warn, error: console.error };
    console.log = console.warn = console.error = (...a: unknown[]) => void logs.push(a.join(' '));
    try {
      return { code: await fn(), output: logs.join('\n') };
    } finally {
      Object.assign(console, orig);
    }
  };

  it('write generates the files; check passes; a breaking change against HEAD fails; an additive one passes', async () => {
    fs.writeFileSync(
      path.join(root, 'supergraph.yaml'),
      `federation_version: =${installedCompositionVersion()}\nsubgraphs:\n  products:\n    routing_url: http://localhost:4101/graphql\n    schema:\n      file: ./subgraphs/products/schema.graphql\n  reviews:\n    routing_url: http://localhost:4102/graphql\n    schema:\n      file: ./subgraphs/reviews/schema.graphql\n`,
    );
    writeSubgraph('products', products());
    writeSubgraph('reviews', reviews);
    fs.mkdirSync(path.join(root, 'docs'));
    fs.writeFileSync(path.join(root, 'docs', 'example.graphql'), 'query { product_list { id name } }\n');

    // no supergraph yet: check fails and says to compose
    let r = await quiet(() => runCli(['check'], root));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/pnpm compose/);

    r = await quiet(() => runCli(['write'], root));
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/wrote supergraph\.graphql/);
    expect(fs.readFileSync(path.join(root, 'subgraphs/products/schema.graphql'), 'utf8')).toBe(withHeader(products()));
    r = await quiet(() => runCli(['write'], root));
    expect(r.output).toMatch(/up to date/);

    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    r = await quiet(() => runCli(['check'], root));
    expect(r.output).toMatch(/schema check passed/);
    expect(r.code).toBe(0);

    // breaking: remove a field, recompose, check against HEAD
    writeSubgraph('products', products().replace('price: Int', ''));
    r = await quiet(() => runCli(['check'], root));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/out of date/);
    await quiet(() => runCli(['write'], root));
    r = await quiet(() => runCli(['check'], root));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/breaking change\(s\)[\s\S]*ProductType\.price/);
    r = await quiet(() => runCli(['check', '--allow-breaking'], root));
    expect(r.code).toBe(0);

    // additive: back to the base schema plus a field
    writeSubgraph('products', products('sku: String'));
    await quiet(() => runCli(['write'], root));
    r = await quiet(() => runCli(['check'], root));
    expect(r.output).toMatch(/schema check passed/);
    expect(r.code).toBe(0);

    // a shipped operation that no longer validates
    fs.writeFileSync(path.join(root, 'docs', 'broken.graphql'), 'query { product_list { nope } }\n');
    r = await quiet(() => runCli(['check'], root));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/docs\/broken\.graphql:1:\d+: Cannot query field "nope"/);
  });

  it('explains a missing printSchemaSdl module', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-compose-missing-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'supergraph.yaml'),
        `federation_version: =${installedCompositionVersion()}\nsubgraphs:\n  ghost:\n    routing_url: http://localhost:4101/graphql\n    schema:\n      file: ./subgraphs/ghost/schema.graphql\n`,
      );
      await expect(runCli(['write'], dir)).rejects.toThrow(/ghost: cannot load .*subgraphs\/ghost\/src\/schema\/index\.ts/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
