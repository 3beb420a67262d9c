// GET /api/diff/data against a fake gateway: the branch_diff operation it sends (variables,
// endpoint, credentials), the answer it passes on, input checks made before calling the gateway,
// error mapping (BRANCH_NOT_FOUND -> 404, ...) and its OpenAPI entry.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../src/server.ts';
import { startFakeGateway, type FakeGateway } from './fake-gateway.ts';

const NODE_ID = '0c3c6b34-3f43-4f6e-9a43-0f4d7e2c1a01';
const DIFF = {
  branch: 'feature-1',
  branched_from: '2026-01-15T10:30:00.000Z',
  summary: { num_added: 1, num_updated: 1, num_removed: 0, num_conflicts: 1 },
  total_count: 2,
  page_info: { offset: 0, limit: 100 },
  nodes: [
    {
      kind: 'DcimSite',
      id: NODE_ID,
      display: 'AMS',
      action: 'UPDATED',
      conflict: true,
      elements: [
        { name: 'facility', old_value: '', new_value: 'DC-B', main_value: 'DC-M', conflict: true },
        { name: 'tenant', old_value: null, new_value: '7a0f4e2e-8f0e-4d4e-a1a4-5f1b0c9d2e11', main_value: null, conflict: false },
      ],
      conflicts: [
        { id: `${NODE_ID}/facility`, kind: 'DcimSite', node_id: NODE_ID, field: 'facility', type: 'BOTH_CHANGED', base_value: '', branch_value: 'DC-B', main_value: 'DC-M' },
      ],
    },
    {
      kind: 'DcimSite',
      id: '5e7d',
      display: 'LON',
      action: 'ADDED',
      conflict: false,
      elements: [{ name: 'name', old_value: null, new_value: 'LON', main_value: null, conflict: false }],
      conflicts: [],
    },
  ],
};

let gw: FakeGateway;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  gw = await startFakeGateway();
  const running = await start({ ...process.env, PORT: '0', GATEWAY_URL: gw.url, STRATA_REST_TIMEOUT_MS: '2000' });
  base = running.url;
  close = running.close;
});
afterAll(async () => {
  await close?.();
  await gw?.close();
});
afterEach(() => {
  gw.requests.length = 0;
  gw.answer(() => ({ body: { data: { branch_diff: DIFF } } }));
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as any };
}

describe('GET /api/diff/data', () => {
  it('answers the branch diff: summary, nodes with per-field old/new/main values, conflicts flagged', async () => {
    gw.answer(() => ({ body: { data: { branch_diff: DIFF } } }));
    const res = await get('/api/diff/data?branch=feature-1', { authorization: 'Token abc' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DIFF);
    expect(gw.requests).toHaveLength(1);
    const call = gw.requests[0]!;
    // the diff is asked on main's endpoint: ?branch= names the branch to diff, not the one to read
    expect(call.path).toBe('/graphql');
    expect(call.query.get('at')).toBeNull();
    expect(call.headers.authorization).toBe('Token abc');
    expect(call.body?.operationName).toBe('DiffData');
    expect(call.body?.query).toMatch(/branch_diff\(name: \$name, kinds: \$kinds, pagination: \$pagination\)/);
    expect(call.body?.variables).toEqual({ name: 'feature-1', kinds: null, pagination: { offset: 0, limit: 100 } });
  });

  it('passes ?kind= (comma-separated) and ?offset=&limit= on', async () => {
    await get('/api/diff/data?branch=team/feature-2&kind=DcimSite,%20TenancyTenant,DcimSite&offset=20&limit=10');
    expect(gw.requests[0]!.body?.variables).toEqual({ name: 'team/feature-2', kinds: ['DcimSite', 'TenancyTenant'], pagination: { offset: 20, limit: 10 } });
    gw.requests.length = 0;
    await get('/api/diff/data?branch=b-1&kind=&limit=0');
    expect(gw.requests[0]!.body?.variables).toEqual({ name: 'b-1', kinds: null, pagination: { offset: 0, limit: 0 } });
  });

  it.each([
    ['/api/diff/data', /branch is required/],
    ['/api/diff/data?branch=', /branch is required/],
    ['/api/diff/data?branch=a-1&offset=-1', /offset must be a non-negative integer/],
    ['/api/diff/data?branch=a-1&limit=ten', /limit must be a non-negative integer/],
    ['/api/diff/data?branch=a-1&limit=1.5', /limit must be a non-negative integer/],
    ['/api/diff/data?branch=a-1&branch=b-2', /"branch" may be given only once/],
    ['/api/diff/data?branch=a-1&at=-1h', /at= is not supported/],
  ])('answers 400 for %s without calling the gateway', async (path, message) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0]).toMatch(message);
    expect(gw.requests).toHaveLength(0);
  });

  it.each([
    ['BRANCH_NOT_FOUND', 'Branch not found: nope', 404],
    ['VALIDATION_ERROR', 'branch_diff needs a branch other than main', 422],
    ['BAD_USER_INPUT', 'pagination.limit must be a non-negative integer', 400],
    ['UNAUTHENTICATED', 'Authentication required', 401],
    ['FORBIDDEN', 'Forbidden', 403],
  ])('maps %s to %s', async (code, message, status) => {
    gw.answer(() => ({ body: { data: null, errors: [{ message, path: ['branch_diff'], extensions: { code } }] } }));
    const res = await get('/api/diff/data?branch=nope');
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ errors: [message] });
  });

  it('answers 500 without internals when a participant failed', async () => {
    gw.answer(() => ({ body: { data: null, errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } }));
    const res = await get('/api/diff/data?branch=feature-1');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ errors: ['Internal server error'] });
  });

  it('is documented in the OpenAPI document with its parameters and answer schema', async () => {
    const doc = (await get('/api/openapi.json')).body;
    const op = doc.paths['/api/diff/data'].get;
    expect(op.operationId).toBe('diff_data');
    expect(op.parameters.map((p: { name: string; required: boolean }) => [p.name, p.required])).toEqual(
      expect.arrayContaining([
        ['branch', true],
        ['kind', false],
        ['offset', false],
        ['limit', false],
      ]),
    );
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    const schema = doc.components.schemas.BranchDiff;
    expect(schema.required).toEqual(expect.arrayContaining(['branch', 'branched_from', 'summary', 'total_count', 'page_info', 'nodes']));
  });
});
