// Branch operations against stand-in participants: a failing participant puts the branch back
// to OPEN; two concurrent merges of one branch run once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSubgraph, createTestDatabase, serviceEnv, type TestDatabase } from '../../../test/support.ts';
import { start } from '../src/server.ts';

let db: TestDatabase;
let participant: http.Server;
let mode: 'fail' | 'slow' = 'fail';
let merges = 0;
let branching: Awaited<ReturnType<typeof start>>;
const gql = (q: string, v?: Record<string, unknown>) => callSubgraph(branching.url, 'branching', q, v);

beforeAll(async () => {
  db = await createTestDatabase('branch_ops');
  participant = http.createServer((req, res) => {
    if (req.url !== '/internal/branch/merge') {
      res.writeHead(404).end();
      return;
    }
    merges++;
    if (mode === 'fail') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      return;
    }
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ merged: 1, changes: 1, merged_at: new Date().toISOString() })), 300);
  });
  await new Promise<void>((r) => participant.listen(0, '127.0.0.1', () => r()));
  const port = (participant.address() as AddressInfo).port;
  branching = await start(serviceEnv(db.url, { STRATA_BRANCH_PARTICIPANTS: `inventory=http://127.0.0.1:${port}/graphql` }));
});
afterAll(async () => {
  await branching?.close();
  await new Promise((r) => participant?.close(r));
  await db?.drop();
});

it('puts the branch back to OPEN when a participant fails the merge', async () => {
  await gql(`mutation { branch_create(data: {name: "b-fail"}) { name } }`);
  const r = await gql(`mutation { branch_merge(name: "b-fail") { status } }`);
  expect(r.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  const b = await gql(`{ branch(name: "b-fail") { status } }`);
  expect(b.data!.branch.status).toBe('OPEN');
});

it('runs one of two concurrent merges of the same branch', async () => {
  mode = 'slow';
  merges = 0;
  await gql(`mutation { branch_create(data: {name: "b-race"}) { name } }`);
  const [a, b] = await Promise.all([gql(`mutation { branch_merge(name: "b-race") { status } }`), gql(`mutation { branch_merge(name: "b-race") { status } }`)]);
  const ok = [a, b].filter((r) => !r.errors);
  const refused = [a, b].filter((r) => r.errors);
  expect(ok).toHaveLength(1);
  expect(refused[0]!.errors![0]!.extensions!.code).toBe('CONFLICT');
  expect(merges).toBe(1);
  expect((await gql(`{ branch(name: "b-race") { status } }`)).data!.branch.status).toBe('MERGED');
});
