// The client address behind the sign-in rate limit (docs/auth.md), the same for every service:
// the socket peer, or with STRATA_TRUST_PROXY (a reverse proxy in front of Strata) the first
// X-Forwarded-For entry. The gateway states the address it saw to the REST adapter in a signed
// header (`x-strata-client-address`), so the adapter never has to believe a client's
// X-Forwarded-For, and a call straight to the adapter's port counts as the adapter's own peer.
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { safeEqual } from './session-cookies.ts';

/** Header the gateway's `/api` proxy sets (signed) for the REST adapter. */
export const CLIENT_ADDRESS_HEADER = 'x-strata-client-address';
/** How long a signed statement is good for: one proxied request. */
const STAMP_TTL_S = 60;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** One rule for on/off settings: true/1/yes/on and false/0/no/off (any case); unset or empty is `def`; anything else throws. */
export function parseSwitch(name: string, raw: string | undefined, def: boolean): boolean {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return def;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new Error(`${name} must be one of true, false, 1, 0, yes, no, on, off (got ${JSON.stringify(raw)})`);
}

/** STRATA_TRUST_PROXY (default false); throws on a value that is neither on nor off. */
export function trustProxyFromEnv(env: NodeJS.ProcessEnv): boolean {
  return parseSwitch('STRATA_TRUST_PROXY', env.STRATA_TRUST_PROXY, false);
}

/** The X-Forwarded-For entries, left (original client) to right (nearest proxy). */
export function forwardedForList(raw: string | string[] | undefined): string[] {
  return (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `::ffff:127.0.0.1` -> `127.0.0.1`, so one client is one key whichever way it connected. */
export function normalizeAddress(addr: string): string {
  return addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** The address this process saw: the socket peer, or the first X-Forwarded-For entry when a proxy is trusted. */
export function peerAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: boolean): string {
  const xff = trustProxy ? forwardedForList(req.headers['x-forwarded-for']) : [];
  return normalizeAddress(xff[0] ?? req.socket?.remoteAddress ?? 'unknown');
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`strata-client-address\0${payload}`).digest('base64url');
}

/** `<address, base64url>.<expiry, unix s>.<HMAC>`: the gateway's statement of a client's address. */
export function signClientAddress(secret: string, address: string, nowMs = Date.now()): string {
  const payload = `${Buffer.from(address, 'utf8').toString('base64url')}.${Math.floor(nowMs / 1000) + STAMP_TTL_S}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** The address in a statement signed with `secret` that has not expired, else null. */
export function verifyClientAddress(secret: string, stamp: string | string[] | undefined, nowMs = Date.now()): string | null {
  if (typeof stamp !== 'string' || stamp.length > 512) return null;
  const m = /^([A-Za-z0-9_-]+)\.(\d{1,12})\.([A-Za-z0-9_-]+)$/.exec(stamp);
  if (!m) return null;
  if (!safeEqual(m[3]!, mac(secret, `${m[1]}.${m[2]}`))) return null;
  if (Number(m[2]) * 1000 < nowMs) return null;
  const address = Buffer.from(m[1]!, 'base64url').toString('utf8');
  return address || null;
}
