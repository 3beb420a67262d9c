// Participant registry and service settings from the environment (no database needed).
import { describe, expect, it } from 'vitest';
import { InternalCallError } from '@strata/shared';
import { branchingConfig, DEFAULT_MERGE_STALE_SECONDS } from '../src/config.ts';
import { refusalOf } from '../src/participants/client.ts';
import { participantsFromEnv } from '../src/participants/registry.ts';

describe('participantsFromEnv', () => {
  it('defaults to inventory at INVENTORY_URL (origin only), else its default port', () => {
    expect(participantsFromEnv({ INVENTORY_URL: 'http://inv.internal:9001/graphql' })).toEqual([{ name: 'inventory', baseUrl: 'http://inv.internal:9001' }]);
    expect(participantsFromEnv({})).toEqual([{ name: 'inventory', baseUrl: 'http://127.0.0.1:4001' }]);
    expect(participantsFromEnv({ STRATA_BRANCH_PARTICIPANTS: '  ' })).toHaveLength(1);
  });

  it('reads name=url pairs in order, separated by commas and/or spaces', () => {
    expect(participantsFromEnv({ STRATA_BRANCH_PARTICIPANTS: 'inventory=http://a:1/graphql, dcim-ext=https://b.example/x?y=z c_3=http://c:3' })).toEqual([
      { name: 'inventory', baseUrl: 'http://a:1' },
      { name: 'dcim-ext', baseUrl: 'https://b.example' },
      { name: 'c_3', baseUrl: 'http://c:3' },
    ]);
  });

  it.each([
    ['inventory', 'no url'],
    ['=http://a:1', 'no name'],
    ['Inventory=http://a:1', 'upper case name'],
    ['inventory=ftp://a', 'not http'],
    ['inventory=not a url', 'garbage url'],
    ['inventory=http://a:1,inventory=http://b:2', 'duplicate'],
  ])('refuses %s (%s) at start', (value) => {
    expect(() => participantsFromEnv({ STRATA_BRANCH_PARTICIPANTS: value })).toThrow(/STRATA_BRANCH_PARTICIPANTS/);
  });
});

describe('branchingConfig', () => {
  it('reads the page size cap and the stale-merge delay', () => {
    expect(branchingConfig({})).toMatchObject({ maxPageSize: 1000, mergeStaleSeconds: DEFAULT_MERGE_STALE_SECONDS });
    expect(branchingConfig({ STRATA_MAX_PAGE_SIZE: '20', STRATA_BRANCH_MERGE_STALE_SECONDS: '60' })).toMatchObject({ maxPageSize: 20, mergeStaleSeconds: 60 });
    expect(() => branchingConfig({ STRATA_BRANCH_MERGE_STALE_SECONDS: '-1' })).toThrow(/STRATA_BRANCH_MERGE_STALE_SECONDS/);
  });
});

describe('refusalOf', () => {
  const p = { name: 'inventory', baseUrl: 'http://x' };
  const err = (status: number, body: unknown) => new InternalCallError('x', status, body);
  it('keeps the caller-facing codes of 4xx answers, with their details and the participant', () => {
    const e = refusalOf(p, 'merge', err(409, { errors: [{ message: 'Branch has 1 unresolved conflict(s)', extensions: { code: 'CONFLICT', conflicts: ['n/f'] } }] }));
    expect(e?.code).toBe('CONFLICT');
    expect(e?.message).toBe('Branch has 1 unresolved conflict(s)');
    expect(e?.extensions).toEqual({ code: 'CONFLICT', conflicts: ['n/f'], participant: 'inventory' });
  });
  it('ignores 5xx, 401/403, unknown codes and bodies that are not Strata errors', () => {
    expect(refusalOf(p, 'merge', err(500, { errors: [{ message: 'x', extensions: { code: 'CONFLICT' } }] }))).toBeNull();
    expect(refusalOf(p, 'merge', err(403, { errors: [{ message: 'x', extensions: { code: 'FORBIDDEN' } }] }))).toBeNull();
    expect(refusalOf(p, 'merge', err(401, { errors: [{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }] }))).toBeNull();
    expect(refusalOf(p, 'merge', err(400, { errors: [{ message: 'x', extensions: { code: 'WEIRD' } }] }))).toBeNull();
    expect(refusalOf(p, 'merge', err(404, '<html>'))).toBeNull();
  });
});
