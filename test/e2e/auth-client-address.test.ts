// Auth edge cases through the real stack (issue #8, item 9): the sign-in rate limit keys on the
// address the services themselves saw, so rotating X-Forwarded-For does not get around it — not
// even straight on the REST adapter's port; overlong credentials answer 401, never 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../stack.ts';

const LIMIT = 5;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ STRATA_LOGIN_RATE_LIMIT: String(LIMIT) });
});
afterAll(async () => {
  await stack?.close();
});

const login = (base: string, i: number) =>
  fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}, 198.51.100.${i}` },
    body: JSON.stringify({ username: `spray${i}`, password: 'not-the-password' }),
  });

describe('sign-in rate limit and X-Forwarded-For', () => {
  it('limits logins sent straight to the REST adapter, whatever X-Forwarded-For says', async () => {
    const adapter = stack.env.REST_ADAPTER_URL!;
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push((await login(adapter, i)).status);
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
  });

  it('limits logins through the gateway origin the same way (one bucket per real client)', async () => {
    // same client (127.0.0.1) as above: already over the limit, rotating headers change nothing
    const r = await login(stack.origin, 99);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/); // REST passes the gateway's Retry-After on
    const gql = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.77' },
      body: JSON.stringify({ query: 'mutation { login(username: "x", password: "y") { access_token } }' }),
    });
    expect(gql.status).toBe(429);
    expect(gql.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('overlong credentials', () => {
  const long = 'a'.repeat(5000);
  const cases: [string, Record<string, string>][] = [
    ['Token', { authorization: `Token ${long}` }],
    ['Bearer', { authorization: `Bearer ${long}` }],
    ['Bearer (JWT-shaped)', { authorization: `Bearer ${long}.${long}.${long}` }],
    ['X-API-Key', { 'x-api-key': long }],
  ];

  it.each(cases)('GraphQL with a %s credential over 4096 characters: 401 UNAUTHENTICATED', async (_what, headers) => {
    const r = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ me { username } }' }),
    });
    expect(r.status).toBe(401);
    const body = (await r.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it.each(cases)('REST with a %s credential over 4096 characters: 401', async (_what, headers) => {
    const r = await fetch(`${stack.origin}/api/schema`, { headers });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { errors: string[] }).errors).toHaveLength(1);
  });
});
