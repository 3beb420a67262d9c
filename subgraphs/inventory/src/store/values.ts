// Attribute values at the boundary: validation and normalisation of inputs (types, choices,
// IP/MAC formats, ranges) and the output form of stored values.
import { isIP } from 'node:net';
import type { Attribute } from '../model/kinds.ts';

/** Maps an enum name (`STATUS_ACTIVE`) or a value (`active`) to the stored value. */
export function normalizeChoice(attr: Attribute, v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const c = attr.choices.find((ch) => ch.enumName === v || ch.value === v);
  return c?.value;
}

export type Check = { ok: true; value: unknown } | { ok: false; reason: string };

const ok = (value: unknown): Check => ({ ok: true, value });
const bad = (reason: string): Check => ({ ok: false, reason });

function ipNetwork(v: string, host: boolean): Check {
  const [addr, len, ...rest] = v.split('/');
  if (rest.length || !addr) return bad(`is not a valid IP ${host ? 'address' : 'network'}`);
  // Node accepts IPv6 zone ids (fe80::1%eth0); Postgres inet/cidr do not.
  const family = addr.includes('%') ? 0 : isIP(addr);
  if (!family) return bad(`is not a valid IP ${host ? 'address' : 'network'}: ${v}`);
  const max = family === 4 ? 32 : 128;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len) || Number(len) > max) return bad(`has an invalid prefix length: ${v}`);
  } else if (!host) {
    return bad(`needs a prefix length (e.g. 10.0.0.0/24): ${v}`);
  }
  if (!host && len !== undefined) {
    // cidr refuses host bits; say so clearly instead of a database error.
    if (!networkBitsOnly(addr, Number(len), family)) return bad(`has host bits set: ${v}`);
  }
  return ok(len === undefined ? addr : `${addr}/${len}`);
}

function networkBitsOnly(addr: string, len: number, family: number): boolean {
  if (family === 4) {
    const n = addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    const hostBits = 32 - len;
    return hostBits === 0 || (n & ((1n << BigInt(hostBits)) - 1n)) === 0n;
  }
  const full = expandIPv6(addr);
  const n = BigInt(`0x${full}`);
  const hostBits = 128 - len;
  return hostBits === 0 || (n & ((1n << BigInt(hostBits)) - 1n)) === 0n;
}

function expandIPv6(addr: string): string {
  let a = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const parts = v4[1]!.split('.').map(Number);
    a = a.replace(v4[1]!, `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`);
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((x) => x.padStart(4, '0')).join('');
}

/** Validates and normalises one input value for an attribute (null handled by the caller). */
export function checkValue(attr: Attribute, v: unknown): Check {
  switch (attr.kind) {
    case 'Text':
    case 'TextArea':
    case 'URL':
    case 'Color': {
      if (typeof v !== 'string') return bad('must be a string');
      if (attr.maxLength && v.length > attr.maxLength) return bad(`must be at most ${attr.maxLength} characters`);
      if (attr.regex && !new RegExp(attr.regex).test(v)) return bad(`must match ${attr.regex}`);
      if (attr.kind === 'Color' && v !== '' && !/^[0-9a-f]{6}$/i.test(v)) return bad('must be a 6-digit hex colour');
      if (attr.kind === 'URL' && v !== '' && !URL.canParse(v)) return bad('must be a URL');
      return ok(attr.kind === 'Color' ? v.toLowerCase() : v);
    }
    case 'Number':
    case 'Float': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) return bad('must be a number');
      if (attr.kind === 'Number' && !Number.isSafeInteger(n)) return bad('must be an integer');
      if (attr.minValue !== undefined && n < attr.minValue) return bad(`must be >= ${attr.minValue}`);
      if (attr.maxValue !== undefined && n > attr.maxValue) return bad(`must be <= ${attr.maxValue}`);
      return ok(n);
    }
    case 'Boolean':
      return typeof v === 'boolean' ? ok(v) : bad('must be a boolean');
    case 'Dropdown': {
      const value = normalizeChoice(attr, v);
      return value === undefined ? bad(`must be one of ${attr.choices.map((c) => c.enumName).join(', ')}`) : ok(value);
    }
    case 'DateTime': {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? bad('must be an ISO 8601 date-time') : ok(v.toISOString());
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return bad('must be an ISO 8601 date-time');
      return ok(new Date(v).toISOString());
    }
    case 'Date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? ok(v) : bad('must be a date (YYYY-MM-DD)');
    case 'JSON':
      return ok(v);
    case 'ListNumber':
      return Array.isArray(v) && v.every((x) => typeof x === 'number') ? ok(v) : bad('must be a list of numbers');
    case 'ListText':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? ok(v) : bad('must be a list of strings');
    case 'IPHost':
      return typeof v === 'string' ? ipNetwork(v.trim(), true) : bad('must be an IP address string');
    case 'IPNetwork':
      return typeof v === 'string' ? ipNetwork(v.trim(), false) : bad('must be an IP network string');
    case 'MacAddress': {
      if (typeof v !== 'string') return bad('must be a MAC address string');
      const hex = v.replace(/[:.-]/g, '').toLowerCase();
      if (!/^[0-9a-f]{12}$/.test(hex)) return bad(`is not a valid MAC address: ${v}`);
      return ok(hex.match(/../g)!.join(':'));
    }
  }
}

/** The output form of a stored value (GraphQL scalars). */
export function outputValue(attr: Attribute, v: unknown): unknown {
  if (v === null || v === undefined) return attr.kind === 'Text' || attr.kind === 'TextArea' ? (attr.optional ? '' : null) : null;
  if (v instanceof Date) return v.toISOString();
  return v;
}
