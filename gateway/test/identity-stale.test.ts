// While the auth service does not answer, the gateway keeps serving principals auth confirmed
// recently (bounded), so fields of the other subgraphs still answer; unknown credentials get
// SERVICE_UNAVAILABLE, never a 500 and never a guess.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { ServiceUnavailableError } from '@strata/shared';
import { identityResolver } from '../src/identity.ts';
import { TEST_SECRET } from '../../test/support.ts';

it('serves a recently confirmed principal while auth is down, and nothing else', async () => {
  const principal = { id: 'u1', username: 'ann', roles: ['viewer'], via: 'token' };
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ principal, expires: null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const identity = identityResolver({ authBaseUrl: base, secret: TEST_SECRET, ttlMs: 20, staleWhileUnavailableMs: 60_000 });
  expect(await identity.resolve({ scheme: 'token', credential: 'known-token' })).toEqual(principal);
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise((r) => setTimeout(r, 50)); // past the cache's ttl
  expect(await identity.resolve({ scheme: 'token', credential: 'known-token' })).toEqual(principal);
  await expect(identity.resolve({ scheme: 'token', credential: 'never-seen' })).rejects.toBeInstanceOf(ServiceUnavailableError);
  identity.forgetAll(); // a revocation event: nothing stale survives it
  await expect(identity.resolve({ scheme: 'token', credential: 'known-token' })).rejects.toBeInstanceOf(ServiceUnavailableError);
});
