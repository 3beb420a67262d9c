// Branch operations against two stand-in participants (STRATA_BRANCH_PARTICIPANTS): signed
// system calls, combined diffs, the check phase that refuses before anyone writes, a failure
// after one participant committed, error mapping (refusals keep their code; 5xx, 401/403 and
// malformed answers become INTERNAL_SERVER_ERROR) and the rebase instant.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTEXT_HEADER, verifyContext } from '@strata/shared';
import { callSubgraph, createTestDatabase, serviceEnv, TEST_SECRET, type GqlResponse, type TestDatabase } from '../../../test/support.ts';
import { start } from '../src/server.ts';

interface Call {
  op: string;
  body: Record<string, unknown>;
  audience: string;
  principal: string | undefined;
}
type Answer = { status?: number; body: unknown; delayMs?: number };

interface Stub {
  name: string;
  url: string;
  calls: Call[];
  answers: Record<string, (body: Record<string, unknown>) => Answer>;
  server: http.Server;
}

async function stubParticipant(name: string): Promise<Stub> {
  const stub: Stub = { name, url: '', calls: [], answers: {}, server: http.createServer() };
  stub.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const op = (req.url ?? '').replace('/internal/branch/', '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      let principal: string | undefined;
      try {
        principal = (await verifyContext(String(req.headers[CONTEXT_HEADER]), { secret: TEST_SECRET, audience: name })).user?.id;
      } catch {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'bad context', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      stub.calls.push({ op, body, audience: name, principal });
      const a = stub.answers[op]?.(body) ?? { status: 404, body: { errors: [{ message: 'no such op' }] } };
      const send = () => res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => stub.server.listen(0, '127.0.0.1', () => r()));
  stub.url = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}/graphql`;
  return stub;
}

const node = (id: string, kind: string, action = 'UPDATED', conflicts: unknown[] = []) => ({
  kind,
  id,
  display: id,
  action,
  fields: [{ name: 'name', old: 'a', new: 'b', conflict: conflicts.length > 0 }],
  conflicts,
});
const conflict = (id: string) => ({ id: `${id}/name`, kind: 'X', node_id: id, field: 'name', type: 'BOTH_CHANGED', base: 'a', branch: 'b', main: 'c' });

let db: TestDatabase;
let alpha: Stub;
let beta: Stub;
let branching: Awaited<ReturnType<typeof start>>;
const gql = (q: string, v?: Record<string, unknown>) => callSubgraph(branching.url, 'branching', q, v);
const code = (r: GqlResponse) => r.errors?.[0]?.extensions?.code as string | undefined;
const statusOf = async (name: string) => (await gql(`query($n: String!) { branch(name: $n) { status } }`, { n: name })).data!.branch.status as string;
const mergeOk = (at: string) => () => ({ body: { merged: 1, changes: 1, merged_at: at } });

beforeAll(async () => {
  db = await createTestDatabase('branch_ops');
  alpha = await stubParticipant('alpha');
  beta = await stubParticipant('beta');
  branching = await start(serviceEnv(db.url, { STRATA_BRANCH_PARTICIPANTS: `alpha=${alpha.url}, beta=${beta.url}` }));
});
afterAll(async () => {
  await branching?.close();
  for (const s of [alpha, beta]) await new Promise((r) => s?.server.close(r));
  await db?.drop();
});
beforeEach(() => {
  for (const s of [alpha, beta]) {
    s.calls.length = 0;
    s.answers = {
      diff: () => ({ body: { nodes: [] } }),
      validate: () => ({ body: { conflicts: [] } }),
      merge: mergeOk(new Date().toISOString()),
      rebase: () => ({ body: { rebased: 0, branched_from: new Date().toISOString() } }),
    };
  }
});

async function branch(name: string) {
  expect((await gql(`mutation($n: String!) { branch_create(data: {name: $n}) { name } }`, { n: name })).errors).toBeUndefined();
}

describe('several participants', () => {
  it('calls each with a context signed for it (system principal) and combines the diffs', async () => {
    await branch('multi-diff');
    alpha.answers.diff = () => ({ body: { nodes: [node('a1', 'DcimSite', 'ADDED'), node('a2', 'DcimSite', 'UPDATED', [conflict('a2')])] } });
    beta.answers.diff = () => ({ body: { nodes: [node('b1', 'OtherThing', 'REMOVED')] } });
    const r = await gql(
      `{ branch_diff(name: "multi-diff", kinds: ["DcimSite", "OtherThing"]) { summary { num_added num_updated num_removed num_conflicts } total_count nodes { id conflict } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.branch_diff.summary).toEqual({ num_added: 1, num_updated: 1, num_removed: 1, num_conflicts: 1 });
    expect(r.data!.branch_diff.nodes).toEqual([
      { id: 'a1', conflict: false },
      { id: 'a2', conflict: true },
      { id: 'b1', conflict: false },
    ]);
    for (const s of [alpha, beta]) {
      expect(s.calls).toHaveLength(1);
      expect(s.calls[0]).toMatchObject({ op: 'diff', audience: s.name, principal: 'system:branching', body: { branch: 'multi-diff', kinds: ['DcimSite', 'OtherThing'] } });
      expect(typeof s.calls[0]!.body.branched_from).toBe('string');
    }
  });

  it('refuses a merge before anyone writes while one participant has an unresolved conflict', async () => {
    await branch('multi-check');
    beta.answers.validate = () => ({ body: { conflicts: [conflict('b9')] } });
    const r = await gql(`mutation { branch_merge(name: "multi-check") { status } }`);
    expect(code(r)).toBe('CONFLICT');
    expect(r.errors![0]!.extensions!.conflicts).toEqual(['b9/name']);
    expect([...alpha.calls, ...beta.calls].filter((c) => c.op === 'merge')).toEqual([]);
    expect(await statusOf('multi-check')).toBe('OPEN');
    // with the resolution both merge, in order, with the resolutions passed on
    const ok = await gql(`mutation { branch_merge(name: "multi-check", resolutions: [{conflict_id: "b9/name", selected: MAIN}]) { status merged_at } }`);
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.branch_merge.status).toBe('MERGED');
    for (const s of [alpha, beta]) expect(s.calls.find((c) => c.op === 'merge')!.body.resolutions).toEqual([{ conflict_id: 'b9/name', selected: 'MAIN' }]);
  });

  it('takes the latest merged_at of the participants', async () => {
    await branch('multi-at');
    alpha.answers.merge = mergeOk('2030-01-01T00:00:02.000Z');
    beta.answers.merge = mergeOk('2030-01-01T00:00:01.000Z');
    const r = await gql(`mutation { branch_merge(name: "multi-at") { merged_at } }`);
    expect(r.data!.branch_merge.merged_at).toBe('2030-01-01T00:00:02.000Z');
  });

  it('reports a failure after a participant committed, puts the branch back to OPEN, and a retry completes it', async () => {
    await branch('multi-partial');
    beta.answers.merge = () => ({ status: 500, body: { errors: [{ message: 'disk full at /var/lib/x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } });
    const r = await gql(`mutation { branch_merge(name: "multi-partial") { status } }`);
    expect(code(r)).toBe('INTERNAL_SERVER_ERROR');
    expect(await statusOf('multi-partial')).toBe('OPEN');
    expect(alpha.calls.filter((c) => c.op === 'merge')).toHaveLength(1);
    // a refusal with a code keeps it and says who already merged
    beta.answers.merge = () => ({ status: 409, body: { errors: [{ message: 'Merging would violate a uniqueness constraint on main', extensions: { code: 'CONFLICT' } }] } });
    const refused = await gql(`mutation { branch_merge(name: "multi-partial") { status } }`);
    expect(code(refused)).toBe('CONFLICT');
    expect(refused.errors![0]!.extensions).toMatchObject({ participant: 'beta', merged_participants: ['alpha'] });
    expect(await statusOf('multi-partial')).toBe('OPEN');
    beta.answers.merge = mergeOk(new Date().toISOString());
    expect((await gql(`mutation { branch_merge(name: "multi-partial") { status } }`)).data!.branch_merge.status).toBe('MERGED');
  });

  it('stores the latest rebase instant of the participants', async () => {
    await branch('multi-rebase');
    alpha.answers.rebase = () => ({ body: { rebased: 1, branched_from: '2030-01-01T00:00:01.000Z' } });
    beta.answers.rebase = () => ({ body: { rebased: 1, branched_from: '2030-01-01T00:00:03.000Z' } });
    const r = await gql(`mutation { branch_rebase(name: "multi-rebase") { status branched_from } }`);
    expect(r.data!.branch_rebase).toEqual({ status: 'OPEN', branched_from: '2030-01-01T00:00:03.000Z' });
    expect((await gql(`{ branch(name: "multi-rebase") { branched_from } }`)).data!.branch.branched_from).toBe('2030-01-01T00:00:03.000Z');
  });
});

describe('participant errors', () => {
  it.each([
    ['a 5xx', { status: 502, body: 'Bad gateway' }, 'INTERNAL_SERVER_ERROR'],
    ['a refused signature (401)', { status: 401, body: { errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] } }, 'INTERNAL_SERVER_ERROR'],
    ['a 403', { status: 403, body: { errors: [{ message: 'internal endpoint', extensions: { code: 'FORBIDDEN' } }] } }, 'INTERNAL_SERVER_ERROR'],
    ['a malformed answer', { body: { merged: 'lots' } }, 'INTERNAL_SERVER_ERROR'],
    [
      'a uniqueness clash (409 CONFLICT)',
      { status: 409, body: { errors: [{ message: 'Merging would violate a uniqueness constraint on main', extensions: { code: 'CONFLICT', constraint: 'x' } }] } },
      'CONFLICT',
    ],
    ['a refusal of the request (400)', { status: 400, body: { errors: [{ message: 'branched_from: Invalid', extensions: { code: 'BAD_USER_INPUT' } }] } }, 'BAD_USER_INPUT'],
  ] as const)('maps %s of the merge and reopens the branch', async (_what, answer, expected) => {
    const name = `err-${Math.random().toString(36).slice(2, 8)}`;
    await branch(name);
    alpha.answers.merge = () => answer as Answer;
    const r = await gql(`mutation($n: String!) { branch_merge(name: $n) { status } }`, { n: name });
    expect(code(r)).toBe(expected);
    if (expected === 'INTERNAL_SERVER_ERROR') expect(JSON.stringify(r.errors)).not.toMatch(/Bad gateway|lots|internal endpoint/);
    else expect(r.errors![0]!.extensions!.participant).toBe('alpha');
    expect(await statusOf(name)).toBe('OPEN');
    expect(beta.calls.filter((c) => c.op === 'merge')).toEqual([]);
  });

  it('answers SERVICE_UNAVAILABLE naming the participant when it is unreachable', async () => {
    await branch('err-down');
    const down = await start(serviceEnv(db.url, { STRATA_BRANCH_PARTICIPANTS: 'inventory=http://127.0.0.1:1/graphql' }));
    try {
      const r = await callSubgraph(down.url, 'branching', `{ branch_diff(name: "err-down") { total_count } }`);
      expect(code(r)).toBe('SERVICE_UNAVAILABLE');
      expect(r.errors![0]!.extensions!.service).toBe('inventory');
      expect(JSON.stringify(r.errors)).not.toMatch(/127\.0\.0\.1/);
    } finally {
      await down.close();
    }
  });
});
