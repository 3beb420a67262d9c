// Single sign-on against a real local OpenID provider (`oidc-provider`), through the whole
// system (gateway -> REST adapter -> supergraph -> auth subgraph): the full browser redirect
// flow for OIDC (discovery, PKCE, state, nonce, ID token validation) and for generic OAuth2
// (passport-oauth2 + userinfo), then a bad state, a missing transaction cookie, an ID token for
// another audience and an expired ID token (both re-signed with the provider's own key).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { CookieJar } from '../../../test/cookie-jar.ts';
import { freePort } from '../../../test/ports.ts';
import { startStack, type Stack } from '../../../test/stack.ts';

const CLIENT_ID = 'strata-test';
const CLIENT_SECRET = 'strata-test-client-secret-0123456789';

let stack: Stack;
let idp: http.Server;
let issuer: string;
/** how the provider's token answer is tampered with (null: untouched) */
let tamper: null | 'aud' | 'expired' = null;
let signingKey: CryptoKey;
let signingJwk: JWK;
/** which account the provider signs in next */
let nextAccount = 'alice';

async function startProvider(port: number, redirectUris: string[]): Promise<http.Server> {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: redirectUris,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
    features: { devInteractions: { enabled: false } },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username', 'name'] },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, preferred_username: id, email: `${id}@example.test`, name: id }),
    }),
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (!tamper || ctx.path !== '/token' || !body?.id_token) return;
    const claims = decodeJwt(body.id_token);
    const now = Math.floor(Date.now() / 1000);
    if (tamper === 'aud') claims.aud = 'someone-else';
    if (tamper === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid!, typ: 'JWT' }).sign(signingKey);
  });
  const handle = provider.callback();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      // the "login page": sign in `nextAccount` and grant what the client asked for
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: nextAccount, clientId: details.params.client_id! });
        grant.addOIDCScope(details.params.scope ?? 'openid');
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: nextAccount }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return server;
}

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  signingKey = privateKey;
  signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  stack = await startStack({
    STRATA_OIDC_PROVIDERS: 'test',
    STRATA_OIDC_TEST_ISSUER: issuer,
    STRATA_OIDC_TEST_CLIENT_ID: CLIENT_ID,
    STRATA_OIDC_TEST_CLIENT_SECRET: CLIENT_SECRET,
    STRATA_OIDC_TEST_ALLOW_HTTP: 'true',
    STRATA_OIDC_TEST_DISPLAY_NAME: 'Test IdP',
    STRATA_OAUTH2_PROVIDERS: 'generic',
    STRATA_OAUTH2_GENERIC_AUTHORIZATION_URL: `${issuer}/auth`,
    STRATA_OAUTH2_GENERIC_TOKEN_URL: `${issuer}/token`,
    STRATA_OAUTH2_GENERIC_USERINFO_URL: `${issuer}/me`,
    STRATA_OAUTH2_GENERIC_CLIENT_ID: CLIENT_ID,
    STRATA_OAUTH2_GENERIC_CLIENT_SECRET: CLIENT_SECRET,
    STRATA_OAUTH2_GENERIC_SCOPES: 'openid email profile',
    STRATA_OAUTH2_GENERIC_ALLOW_HTTP: 'true',
    STRATA_OAUTH2_GENERIC_DEFAULT_ROLES: 'editor',
  });
  idp = await startProvider(port, [`${stack.origin}/api/oidc/test/token`, `${stack.origin}/api/oauth2/generic/token`]);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
  await stack?.close();
});

/** Follows redirects by hand, keeping one cookie jar per origin; stops at the Strata callback. */
async function signIn(protocol: 'oidc' | 'oauth2', provider: string, opts: { editCallback?: (u: URL) => void; redirectTo?: string } = {}) {
  const strata = new CookieJar();
  const idpJar = new CookieJar();
  const start = new URL(`${stack.origin}/api/${protocol}/${provider}/authorize`);
  if (opts.redirectTo) start.searchParams.set('redirect_to', opts.redirectTo);
  const authorize = await fetch(start, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  strata.take(authorize);
  let location = authorize.headers.get('location')!;
  const authUrl = new URL(location);
  for (let hops = 0; hops < 10 && location.startsWith(issuer); hops++) {
    const r = await fetch(location, { redirect: 'manual', headers: { cookie: idpJar.header(new URL(location).pathname) } });
    idpJar.take(r);
    expect([302, 303]).toContain(r.status);
    location = new URL(r.headers.get('location')!, location).href;
  }
  const callback = new URL(location);
  expect(callback.origin).toBe(stack.origin);
  opts.editCallback?.(callback);
  const done = await fetch(callback, { redirect: 'manual', headers: { cookie: strata.header(callback.pathname) } });
  strata.take(done);
  return { authUrl, callback, done, strata };
}

const me = async (accessToken: string) => {
  const r = await fetch(`${stack.origin}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: '{"query":"{ me { username roles } }"}',
  });
  return ((await r.json()) as { data: { me: { username: string; roles: string[] } } }).data.me;
};

describe('OpenID Connect', () => {
  it('lists the configured providers', async () => {
    const r = await fetch(`${stack.origin}/api/auth/providers`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as unknown[];
    expect(body).toHaveLength(2);
    expect(body).toEqual(
      expect.arrayContaining([
        { name: 'generic', protocol: 'oauth2', display_name: 'generic', authorize_url: '/api/oauth2/generic/authorize' },
        { name: 'test', protocol: 'oidc', display_name: 'Test IdP', authorize_url: '/api/oidc/test/authorize' },
      ]),
    );
  });

  it('signs a user in through the full redirect flow (discovery, PKCE, state, nonce, ID token)', async () => {
    nextAccount = 'alice';
    const { authUrl, done, strata } = await signIn('oidc', 'test');
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('code_challenge')).toBeTruthy();
    expect(authUrl.searchParams.get('state')).toBeTruthy();
    expect(authUrl.searchParams.get('nonce')).toBeTruthy();
    expect(authUrl.searchParams.get('redirect_uri')).toBe(`${stack.origin}/api/oidc/test/token`);
    expect(done.status).toBe(200);
    const pair = (await done.json()) as { access_token: string; refresh_token: string; token_type: string };
    expect(pair.token_type).toBe('Bearer');
    expect(await me(pair.access_token)).toEqual({ username: 'alice', roles: ['viewer'] });
    // browser session cookies came with it, the transaction cookie is gone
    expect(strata.get('strata_access')).toBe(pair.access_token);
    expect(strata.get('strata_sso')).toBeUndefined();

    // the same identity signs in to the same user again; refresh works like a password session
    const again = await signIn('oidc', 'test', { redirectTo: '/graphql' });
    expect(again.done.status).toBe(302);
    expect(again.done.headers.get('location')).toBe('/graphql');
    expect(await me(again.strata.get('strata_access')!)).toEqual({ username: 'alice', roles: ['viewer'] });
    const users = await stack.graphql(`{ user_list(filters: {username: {starts_with: "alice"}}) { total_count } }`);
    expect(users.data!.user_list.total_count).toBe(1);
  });

  it('refuses a bad state', async () => {
    const { done } = await signIn('oidc', 'test', { editCallback: (u) => u.searchParams.set('state', 'forged-state') });
    expect(done.status).toBe(401);
    expect(await done.json()).toEqual({ errors: [expect.stringMatching(/state/)] });
  });

  it('refuses a callback without the transaction cookie of the browser that started it', async () => {
    const { callback } = await signIn('oidc', 'test', { editCallback: () => {} });
    const stranger = await fetch(callback, { redirect: 'manual' });
    expect(stranger.status).toBe(401);
  });

  it('refuses an ID token issued for another audience', async () => {
    tamper = 'aud';
    try {
      const { done } = await signIn('oidc', 'test');
      expect(done.status).toBe(401);
      expect(await done.json()).toEqual({ errors: [expect.stringMatching(/audience/)] });
    } finally {
      tamper = null;
    }
  });

  it('refuses an expired ID token', async () => {
    tamper = 'expired';
    try {
      const { done } = await signIn('oidc', 'test');
      expect(done.status).toBe(401);
      expect(await done.json()).toEqual({ errors: [expect.stringMatching(/expired/)] });
    } finally {
      tamper = null;
    }
  });

  it('answers 404 for an unknown provider and refuses redirects off the site', async () => {
    expect((await fetch(`${stack.origin}/api/oidc/nope/authorize`, { redirect: 'manual' })).status).toBe(404);
    expect((await fetch(`${stack.origin}/api/oidc/test/authorize?redirect_to=https://evil.example/`, { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(`${stack.origin}/api/oidc/test/authorize?redirect_to=//evil.example/`, { redirect: 'manual' })).status).toBe(400);
  });

  it('refuses a disabled user', async () => {
    const u = await stack.graphql(`{ user_list(filters: {username: {exact: "alice"}}) { results { id } } }`);
    const id = u.data!.user_list.results[0].id as string;
    await stack.graphql(`mutation($id: ID!) { user_update(id: $id, data: {is_active: false}) { id } }`, { id });
    nextAccount = 'alice';
    const { done } = await signIn('oidc', 'test');
    expect(done.status).toBe(401);
    await stack.graphql(`mutation($id: ID!) { user_update(id: $id, data: {is_active: true}) { id } }`, { id });
  });
});

describe('OAuth2 (passport-oauth2)', () => {
  it('signs a user in with a generic provider (state, PKCE, userinfo) and keeps usernames unique', async () => {
    nextAccount = 'alice';
    const { authUrl, done } = await signIn('oauth2', 'generic');
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('state')).toBeTruthy();
    expect(done.status).toBe(200);
    const pair = (await done.json()) as { access_token: string };
    // `alice` is taken by the OIDC identity: this one is another user
    expect(await me(pair.access_token)).toEqual({ username: 'alice-generic', roles: ['editor'] });
  });

  it('refuses a bad state', async () => {
    const { done } = await signIn('oauth2', 'generic', { editCallback: (u) => u.searchParams.set('state', 'nope') });
    expect(done.status).toBe(401);
  });
});
