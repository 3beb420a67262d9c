// The gateway's identity resolver at its edges (issue #8, item 9): cache entries never outlive the
// credential (an API token's `expires`, a JWT's `exp`), overlong credentials are refused without
// a call to the auth subgraph; STRATA_TRUST_PROXY has one strict rule.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jwtKeysFromEnv, signAccessToken, type Principal } from '@strata/shared';
import { identityResolver } from '../src/identity.ts';
import { LoginRateLimiter } from '../src/login-rate-limit.ts';

const SECRET = 'identity-edges-test-secret-0123456789abcdef';
const ALICE: Principal = { id: '6f1c2d3e-0000-4000-8000-000000000001', username: 'alice', roles: ['viewer'], via: 'token' };
const keys = jwtKeysFromEnv({ STRATA_CONTEXT_SECRET: SECRET });

/** A stand-in for the auth subgraph's /internal/authenticate that counts calls. */
let calls = 0;
let expiresAt: Date | null = null;
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls++;
      const { credential } = JSON.parse(body) as { credential: string };
      res.setHeader('content-type', 'application/json');
      if (credential.length > 4096) {
        res.statusCode = 400;
        res.end(JSON.stringify({ errors: [{ message: 'Expected {scheme, credential}', extensions: { code: 'BAD_USER_INPUT' } }] }));
      } else if (expiresAt && expiresAt.getTime() <= Date.now()) {
        res.statusCode = 401;
        res.end(JSON.stringify({ errors: [{ message: 'Token has expired', extensions: { code: 'UNAUTHENTICATED' } }] }));
      } else {
        res.end(JSON.stringify({ principal: ALICE, expires: expiresAt?.toISOString() ?? null }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  calls = 0;
  expiresAt = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('identity cache', () => {
  it('keeps an API token no longer than its expiry', async () => {
    const identity = identityResolver({ authBaseUrl: baseUrl, secret: SECRET, jwtKeys: keys.accepted });
    expiresAt = new Date(Date.now() + 400);
    const cred = { scheme: 'token', credential: 'strata_short_lived' } as const;
    expect(await identity.resolve(cred)).toEqual(ALICE);
    expect(await identity.resolve(cred)).toEqual(ALICE);
    expect(calls).toBe(1); // cached
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 50);
    expect(await identity.resolve(cred)).toBeNull();
    expect(calls).toBe(2);
  });

  it('keeps a token without expiry for the normal cache time', async () => {
    const identity = identityResolver({ authBaseUrl: baseUrl, secret: SECRET, jwtKeys: keys.accepted });
    const cred = { scheme: 'x-api-key', credential: 'strata_forever' } as const;
    await identity.resolve(cred);
    await identity.resolve(cred);
    expect(calls).toBe(1);
  });

  it('keeps a session check no longer than the access token that made it', async () => {
    const identity = identityResolver({ authBaseUrl: baseUrl, secret: SECRET, jwtKeys: keys.accepted });
    const jwt = await signAccessToken({ ...ALICE, via: 'jwt' }, keys.current, 1, '6f1c2d3e-0000-4000-8000-0000000000aa');
    const cred = { scheme: 'bearer', credential: jwt } as const;
    expect(await identity.resolve(cred)).not.toBeNull();
    expect(await identity.resolve(cred)).not.toBeNull();
    expect(calls).toBe(1);
    await sleep(1_300); // past exp (still inside the clock-skew tolerance of the signature check)
    await identity.resolve(cred);
    expect(calls).toBe(2);
  });

  it.each([
    ['token', 'a'.repeat(4097)],
    ['bearer', 'a'.repeat(5000)],
    ['bearer', `${'a'.repeat(2000)}.${'b'.repeat(2000)}.${'c'.repeat(2000)}`],
    ['x-api-key', 'k'.repeat(100_000)],
  ] as const)('refuses an overlong %s credential without asking the auth subgraph', async (scheme, credential) => {
    const identity = identityResolver({ authBaseUrl: baseUrl, secret: SECRET, jwtKeys: keys.accepted });
    expect(await identity.resolve({ scheme, credential })).toBeNull();
    expect(calls).toBe(0);
  });
});

describe('STRATA_TRUST_PROXY', () => {
  const fakeReq = (xff: string) => {
    const headers = { 'x-forwarded-for': xff };
    return { headers, header: (n: string) => (headers as Record<string, string>)[n.toLowerCase()], socket: { remoteAddress: '10.9.8.7' } } as unknown as Request;
  };

  it.each(['true', '1', 'yes', 'on', 'ON', ' On '])('%j trusts the first X-Forwarded-For entry', async (v) => {
    const limiter = LoginRateLimiter.fromEnv({ STRATA_TRUST_PROXY: v }, SECRET);
    expect(await limiter.clientOf(fakeReq('203.0.113.5, 10.0.0.1'))).toBe('203.0.113.5');
  });

  it.each(['false', '0', 'no', 'off', 'OFF', '', undefined])('%j uses the socket peer', async (v) => {
    const limiter = LoginRateLimiter.fromEnv({ STRATA_TRUST_PROXY: v }, SECRET);
    expect(await limiter.clientOf(fakeReq('203.0.113.5, 10.0.0.1'))).toBe('10.9.8.7');
  });

  it.each(['maybe', 'enabled', '2'])('%j is a start error', (v) => {
    expect(() => LoginRateLimiter.fromEnv({ STRATA_TRUST_PROXY: v }, SECRET)).toThrow(/STRATA_TRUST_PROXY/);
  });
});
