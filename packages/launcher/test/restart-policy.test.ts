// The launcher's restart bookkeeping (restart-policy.ts): exponential backoff capped at the
// maximum, the crash-loop limit within a sliding window, reset after a quiet window, and the
// environment settings.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, RestartPolicy, restartPolicyFromEnv } from '../src/restart-policy.ts';

describe('restart policy', () => {
  it('doubles the delay from 0.5 s up to 10 s and gives up at the 5th crash within 60 s', () => {
    const p = new RestartPolicy();
    const t0 = 1_000_000;
    expect([0, 1, 2, 3].map((i) => p.crashed(t0 + i * 1000))).toEqual([
      { action: 'restart', delayMs: 500, crashes: 1 },
      { action: 'restart', delayMs: 1000, crashes: 2 },
      { action: 'restart', delayMs: 2000, crashes: 3 },
      { action: 'restart', delayMs: 4000, crashes: 4 },
    ]);
    expect(p.crashed(t0 + 4000)).toEqual({ action: 'give-up', crashes: 5 });
  });

  it('caps the delay and forgets crashes older than the window', () => {
    const p = new RestartPolicy({ baseDelayMs: 500, maxDelayMs: 1500, maxCrashes: 10, windowMs: 60_000 });
    const delays = [0, 1, 2, 3, 4].map((i) => {
      const d = p.crashed(i);
      return d.action === 'restart' ? d.delayMs : -1;
    });
    expect(delays).toEqual([500, 1000, 1500, 1500, 1500]);
    // a quiet minute: the next crash is a first one again
    expect(p.crashed(5 + 60_000)).toEqual({ action: 'restart', delayMs: 500, crashes: 1 });
  });

  it('crashes spread wider than the window never add up to a loop', () => {
    const p = new RestartPolicy();
    for (let i = 0; i < 20; i++) expect(p.crashed(i * 20_000).action).toBe('restart');
  });

  it('reads its settings from the environment and refuses malformed ones', () => {
    expect(restartPolicyFromEnv({})).toEqual(DEFAULT_RESTART_POLICY);
    expect(
      restartPolicyFromEnv({ STRATA_RESTART_BACKOFF_MS: '100', STRATA_RESTART_BACKOFF_MAX_MS: '800', STRATA_CRASH_LOOP_LIMIT: '3', STRATA_CRASH_LOOP_WINDOW_MS: '5000' }),
    ).toEqual({ baseDelayMs: 100, maxDelayMs: 800, maxCrashes: 3, windowMs: 5000 });
    // a maximum below the first delay is raised to it
    expect(restartPolicyFromEnv({ STRATA_RESTART_BACKOFF_MS: '2000', STRATA_RESTART_BACKOFF_MAX_MS: '100' }).maxDelayMs).toBe(2000);
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => restartPolicyFromEnv({ STRATA_CRASH_LOOP_LIMIT: bad })).toThrow(/STRATA_CRASH_LOOP_LIMIT must be a positive integer/);
    }
  });
});
