// Shared settings: bind address (docs/api.md#commands HOST) and durations (STRATA_STATEMENT_TIMEOUT).
import { expect, it } from 'vitest';
import { listenHost, parseDuration, readEnv } from '../src/config.ts';

it('binds to 127.0.0.1 unless HOST (or a service-specific override) says otherwise', () => {
  expect(listenHost({})).toBe('127.0.0.1');
  expect(listenHost({ HOST: '0.0.0.0' })).toBe('0.0.0.0');
  expect(listenHost({ HOST: '0.0.0.0' }, '10.0.0.5')).toBe('10.0.0.5');
});

it('reads STRATA_STATEMENT_TIMEOUT as a duration (default 15 s) and refuses garbage', () => {
  expect(readEnv({}).STRATA_STATEMENT_TIMEOUT).toBe(15_000);
  expect(readEnv({ STRATA_STATEMENT_TIMEOUT: '500ms' }).STRATA_STATEMENT_TIMEOUT).toBe(500);
  expect(readEnv({ STRATA_STATEMENT_TIMEOUT: '2m' }).STRATA_STATEMENT_TIMEOUT).toBe(120_000);
  expect(readEnv({ STRATA_STATEMENT_TIMEOUT: '30' }).STRATA_STATEMENT_TIMEOUT).toBe(30_000);
  expect(readEnv({ STRATA_STATEMENT_TIMEOUT: '0' }).STRATA_STATEMENT_TIMEOUT).toBe(0);
  expect(parseDuration('soon')).toBeNull();
  expect(() => readEnv({ STRATA_STATEMENT_TIMEOUT: 'soon' })).toThrow(/STRATA_STATEMENT_TIMEOUT/);
});
