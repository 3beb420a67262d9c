// STRATA_GRAPHQL_ENABLED=false closes /graphql to clients while REST keeps working through it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, STACK_ADMIN_TOKEN, type Stack } from '../stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ STRATA_GRAPHQL_ENABLED: 'false' });
});
afterAll(async () => {
  await stack?.close();
});

it('answers /graphql with 404 and still serves REST', async () => {
  const gql = await fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { authorization: `Token ${STACK_ADMIN_TOKEN}` },
    body: '{"query":"{ site_list { total_count } }"}',
  });
  expect(gql.status).toBe(404);
  expect(await gql.json()).toEqual({ errors: ['The GraphQL API is not enabled.'] });
  const info = await fetch(`${stack.origin}/api/info`);
  expect(info.status).toBe(200);
  const schema = await fetch(`${stack.origin}/api/schema/DcimSite`, { headers: { authorization: `Token ${STACK_ADMIN_TOKEN}` } });
  expect(schema.status).toBe(200);
});
