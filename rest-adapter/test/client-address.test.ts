// The client address the REST adapter hands to the gateway (sign-in rate limit): the gateway's
// signed statement when present and valid, else the adapter's own peer (or, with
// STRATA_TRUST_PROXY, the first X-Forwarded-For entry); a caller's X-Forwarded-For never passes
// through. STRATA_TRUST_PROXY has one strict rule everywhere.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, parseSwitch, signClientAddress, trustProxyFromEnv, verifyClientAddress } from '@strata/shared';
import { clientAddressOf, withClientAddress } from '../src/client-address.ts';
import { readRestConfig } from '../src/config.ts';

const SECRET = 'client-address-test-secret-0123456789abcdef';

const req = (headers: Record<string, string>, remoteAddress = '127.0.0.1') => ({ headers: { ...headers }, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('client address at the REST adapter', () => {
  it('ignores a caller X-Forwarded-For and uses its own peer', () => {
    expect(clientAddressOf(req({ 'x-forwarded-for': '203.0.113.9' }, '::ffff:10.1.2.3'), { secret: SECRET, trustProxy: false })).toBe('10.1.2.3');
  });

  it('believes the gateway statement signed with the shared secret', () => {
    const stamp = signClientAddress(SECRET, '198.51.100.7');
    expect(clientAddressOf(req({ [CLIENT_ADDRESS_HEADER]: stamp, 'x-forwarded-for': '203.0.113.9' }), { secret: SECRET, trustProxy: false })).toBe('198.51.100.7');
  });

  it('ignores forged, tampered and expired statements', () => {
    const forged = signClientAddress('another-secret-0123456789abcdef-0123456789', '198.51.100.7');
    const good = signClientAddress(SECRET, '198.51.100.7');
    const [addr, exp, mac] = good.split('.');
    const tampered = `${Buffer.from('192.0.2.1').toString('base64url')}.${exp}.${mac}`;
    const expired = signClientAddress(SECRET, '198.51.100.7', Date.now() - 120_000);
    for (const stamp of [forged, tampered, expired, `${addr}.${exp}`, 'garbage', '']) {
      expect(clientAddressOf(req({ [CLIENT_ADDRESS_HEADER]: stamp }, '10.0.0.5'), { secret: SECRET, trustProxy: false })).toBe('10.0.0.5');
    }
    expect(verifyClientAddress(SECRET, good)).toBe('198.51.100.7');
  });

  it('with STRATA_TRUST_PROXY uses the first X-Forwarded-For entry of a direct caller', () => {
    expect(clientAddressOf(req({ 'x-forwarded-for': '203.0.113.9, 10.0.0.1' }), { secret: SECRET, trustProxy: true })).toBe('203.0.113.9');
  });

  it('rewrites X-Forwarded-For to the one address before the app runs, and drops the statement', () => {
    let seen: IncomingMessage | null = null;
    const handler = withClientAddress((r) => void (seen = r), { secret: SECRET, trustProxy: false });
    const r = req({ 'x-forwarded-for': '203.0.113.1, 203.0.113.2', [CLIENT_ADDRESS_HEADER]: 'forged' }, '10.0.0.9');
    handler(r, {} as ServerResponse);
    expect(seen!.headers['x-forwarded-for']).toBe('10.0.0.9');
    expect(seen!.headers[CLIENT_ADDRESS_HEADER]).toBeUndefined();
  });
});

describe('STRATA_TRUST_PROXY', () => {
  it('true/1/yes/on and false/0/no/off, any case; unset is false', () => {
    for (const v of ['true', '1', 'yes', 'on', 'ON', 'Yes']) expect(trustProxyFromEnv({ STRATA_TRUST_PROXY: v })).toBe(true);
    for (const v of ['false', '0', 'no', 'off', 'Off', '', undefined]) expect(trustProxyFromEnv({ STRATA_TRUST_PROXY: v })).toBe(false);
    expect(parseSwitch('X', undefined, true)).toBe(true);
  });

  it('anything else stops the REST adapter at start', () => {
    expect(readRestConfig({ STRATA_TRUST_PROXY: 'on' }).trustProxy).toBe(true);
    for (const v of ['maybe', '2', 'enabled']) expect(() => readRestConfig({ STRATA_TRUST_PROXY: v })).toThrow(/STRATA_TRUST_PROXY/);
  });
});
