// Browser sessions through the real gateway: login (GraphQL and REST) sets HttpOnly/SameSite
// cookies, cookie-authenticated reads work, writes need the CSRF token, REST refresh/logout
// take the refresh cookie, logout clears the cookies and ends the access token at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar as Jar } from '../cookie-jar.ts';
import { STACK_ADMIN_PASSWORD, startStack, type Stack } from '../stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ STRATA_CORS_ORIGINS: 'https://app.example', STRATA_LOGIN_RATE_LIMIT: '10' });
});
afterAll(async () => {
  await stack?.close();
});

const gql = (jar: Jar, query: string, headers: Record<string, string> = {}, variables: Record<string, unknown> = {}) =>
  fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: jar.header('/graphql'), ...headers },
    body: JSON.stringify({ query, variables }),
  });

describe('cookie sessions', () => {
  it('sets HttpOnly, SameSite cookies on a GraphQL login and authenticates with them', async () => {
    const jar = new Jar();
    const login = await gql(jar, `mutation($p: String!) { login(username: "admin", password: $p) { access_token refresh_token } }`, {}, { p: STACK_ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const set = jar.take(login);
    const access = set.find((c) => c.startsWith('strata_access='))!;
    const refresh = set.find((c) => c.startsWith('strata_refresh='))!;
    const csrf = set.find((c) => c.startsWith('strata_csrf='))!;
    expect(access).toMatch(/HttpOnly/);
    expect(access).toMatch(/SameSite=Lax/);
    expect(access).not.toMatch(/Secure/); // plain HTTP here
    expect(refresh).toMatch(/HttpOnly/);
    expect(refresh).toMatch(/Path=\/api\/auth/);
    expect(csrf).not.toMatch(/HttpOnly/);

    // reads with the cookie alone (GET needs no CSRF token)
    const get = await fetch(`${stack.origin}/graphql?query=${encodeURIComponent('{ me { username } }')}`, {
      headers: { cookie: jar.header('/graphql'), accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: { me: { username: string } } }).data.me.username).toBe('admin');

    // POST with the cookie but without the CSRF token: refused before any subgraph runs
    const noCsrf = await gql(jar, `mutation { tag_create(data: {name: "csrf", slug: "csrf"}) { id } }`);
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('FORBIDDEN');
    const wrongCsrf = await gql(jar, `{ me { username } }`, { 'x-csrf-token': 'guess' });
    expect(wrongCsrf.status).toBe(403);
    const withCsrf = await gql(jar, `mutation { tag_create(data: {name: "csrf", slug: "csrf"}) { name } }`, { 'x-csrf-token': jar.get('strata_csrf')! });
    expect(withCsrf.status).toBe(200);
    expect(((await withCsrf.json()) as { data: { tag_create: { name: string } } }).data.tag_create.name).toBe('csrf');

    // a public operation ignores a cookie session without CSRF token instead of failing
    const info = await gql(jar, `{ info { deployment_id } }`);
    expect(info.status).toBe(200);
  });

  it('logs in, refreshes and logs out over REST with cookies; logout ends the access token at once', async () => {
    const jar = new Jar();
    const login = await fetch(`${stack.origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: STACK_ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    jar.take(login);
    const firstAccess = jar.get('strata_access')!;
    expect(firstAccess).toBeTruthy();
    expect(jar.get('strata_refresh')).toBeTruthy();

    // Swagger UI style: cookie + CSRF header on REST
    const schema = await fetch(`${stack.origin}/api/schema/DcimSite`, { headers: { cookie: jar.header('/api/schema') } });
    expect(schema.status).toBe(200);

    const refreshNoCsrf = await fetch(`${stack.origin}/api/auth/refresh`, { method: 'POST', headers: { cookie: jar.header('/api/auth/refresh') } });
    expect(refreshNoCsrf.status).toBe(403);
    expect(await refreshNoCsrf.json()).toEqual({ errors: [expect.stringMatching(/CSRF/)] });
    const refreshed = await fetch(`${stack.origin}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie: jar.header('/api/auth/refresh'), 'x-csrf-token': jar.get('strata_csrf')! },
    });
    expect(refreshed.status).toBe(200);
    jar.take(refreshed);
    expect(jar.get('strata_access')).not.toBe(firstAccess);

    const access = jar.get('strata_access')!;
    const logout = await fetch(`${stack.origin}/api/auth/logout`, { method: 'POST', headers: { cookie: jar.header('/api/auth/logout'), 'x-csrf-token': jar.get('strata_csrf')! } });
    expect(logout.status).toBe(200);
    jar.take(logout);
    expect(jar.get('strata_access')).toBeUndefined();
    expect(jar.get('strata_refresh')).toBeUndefined();
    // the access token of the ended session no longer works (revocation clears gateway caches)
    let status = 200;
    for (let i = 0; i < 30 && status === 200; i++) {
      status = (
        await fetch(`${stack.origin}/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json' },
          body: '{"query":"{ me { username } }"}',
        })
      ).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
  });

  it('serves GraphiQL and Swagger UI pages that send the CSRF token', async () => {
    const boot = await (await fetch(`${stack.origin}/_strata/playground/boot.js`)).text();
    expect(boot).toMatch(/x-csrf-token/);
    const init = await (await fetch(`${stack.origin}/api/docs/init.js`)).text();
    expect(init).toMatch(/x-csrf-token/);
  });

  it('sends security headers and answers CORS only for configured origins', async () => {
    const r = await fetch(`${stack.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ info { version } }"}' });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(r.headers.get('strict-transport-security')).toBeNull(); // plain HTTP
    const https = await fetch(`${stack.origin}/health`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers.get('strict-transport-security')).toMatch(/max-age=/);
    const rest = await fetch(`${stack.origin}/api/info`);
    expect(rest.headers.get('x-frame-options')).toBe('DENY');

    const preflight = (origin: string) =>
      fetch(`${stack.origin}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-csrf-token/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits sign-in attempts per client address, also through REST', async () => {
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) {
      const r = await fetch(`${stack.origin}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `nobody${i}`, password: 'x' }),
      });
      status = r.status;
    }
    expect(status).toBe(429);
    const direct = await gql(new Jar(), `mutation { login(username: "admin", password: "whatever") { access_token } }`);
    expect(direct.status).toBe(429);
    expect(direct.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
