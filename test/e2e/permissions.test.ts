// Roles through the whole system: admins manage users; viewers read but never write; editors
// write; deactivating a user ends their access at once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function loginAs(username: string, password: string): Promise<string> {
  const r = await stack.graphql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { access_token } }`, { u: username, p: password }, { token: null });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.login.access_token as string;
}

const asBearer = (token: string, query: string, variables: Record<string, unknown> = {}) =>
  fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  }).then(async (r) => ({ status: r.status, ...((await r.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] }) }));

it('enforces admin, editor and viewer roles', async () => {
  const v = await stack.graphql(`mutation { user_create(data: {username: "vera", password: "viewer-pass-1", roles: ["viewer"]}) { id username roles } }`);
  expect(v.data!.user_create).toMatchObject({ username: 'vera', roles: ['viewer'] });
  const e = await stack.graphql(`mutation { user_create(data: {username: "ed", password: "editor-pass-1", roles: ["editor"]}) { id } }`);
  const edId = e.data!.user_create.id as string;
  const dup = await stack.graphql(`mutation { user_create(data: {username: "vera", password: "another-pass"}) { id } }`);
  expect(dup.errors?.[0]?.extensions?.code).toBe('UNIQUENESS_VIOLATION');
  const short = await stack.graphql(`mutation { user_create(data: {username: "x", password: "short"}) { id } }`);
  expect(short.errors?.[0]?.extensions?.code).toBe('VALIDATION_ERROR');

  const viewer = await loginAs('vera', 'viewer-pass-1');
  const read = await asBearer(viewer, `{ site_list { total_count } }`);
  expect(read.status).toBe(200);
  expect(read.errors).toBeUndefined();
  const write = await asBearer(viewer, `mutation { site_create(data: {name: "V", slug: "v"}) { id } }`);
  expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const branchWrite = await asBearer(viewer, `mutation { branch_create(data: {name: "viewer-branch"}) { name } }`);
  expect(branchWrite.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const admin = await asBearer(viewer, `mutation { user_create(data: {username: "evil", password: "evil-pass-1", roles: ["admin"]}) { id } }`);
  expect(admin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

  const editor = await loginAs('ed', 'editor-pass-1');
  const ok = await asBearer(editor, `mutation { site_create(data: {name: "E", slug: "e"}) { name } }`);
  expect(ok.errors).toBeUndefined();
  const tok = await asBearer(editor, `mutation { api_token_create(data: {name: "ci"}) { token } }`);
  const apiToken = tok.data!.api_token_create.token as string;
  expect((await stack.graphql(`{ site_list { total_count } }`, {}, { token: apiToken })).status).toBe(200);

  await stack.graphql(`mutation($id: ID!) { user_update(id: $id, data: {is_active: false}) { is_active } }`, { id: edId });
  let status = 200;
  for (let i = 0; i < 30 && status === 200; i++) {
    status = (await stack.graphql(`{ site_list { total_count } }`, {}, { token: apiToken })).status;
    if (status === 200) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(401);
  const relogin = await stack.graphql(`mutation { login(username: "ed", password: "editor-pass-1") { access_token } }`, {}, { token: null });
  expect(relogin.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
