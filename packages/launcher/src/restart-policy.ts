// When the launcher restarts a crashed service (docs/operations.md, "Supervision"): exponential
// backoff (0.5 s doubling up to 10 s by default) and a crash-loop limit (5 crashes within 60 s
// by default) after which the launcher gives up and stops everything. Pure bookkeeping: no
// timers, no processes; one instance per service.
import { z } from 'zod';

export interface RestartPolicyOptions {
  /** delay before the first restart (ms) */
  baseDelayMs: number;
  /** the delay doubles per recent crash up to this (ms) */
  maxDelayMs: number;
  /** this many crashes within `windowMs` means a crash loop: give up */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = { baseDelayMs: 500, maxDelayMs: 10_000, maxCrashes: 5, windowMs: 60_000 };

const positiveInt = z.coerce.number().int().positive();

/**
 * From the environment: STRATA_RESTART_BACKOFF_MS, STRATA_RESTART_BACKOFF_MAX_MS,
 * STRATA_CRASH_LOOP_LIMIT, STRATA_CRASH_LOOP_WINDOW_MS. A bad value is an error naming it.
 */
export function restartPolicyFromEnv(env: NodeJS.ProcessEnv): RestartPolicyOptions {
  const read = (name: string, def: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const parsed = positiveInt.safeParse(raw);
    if (!parsed.success) throw new Error(`${name} must be a positive integer, got ${raw}`);
    return parsed.data;
  };
  const opts = {
    baseDelayMs: read('STRATA_RESTART_BACKOFF_MS', DEFAULT_RESTART_POLICY.baseDelayMs),
    maxDelayMs: read('STRATA_RESTART_BACKOFF_MAX_MS', DEFAULT_RESTART_POLICY.maxDelayMs),
    maxCrashes: read('STRATA_CRASH_LOOP_LIMIT', DEFAULT_RESTART_POLICY.maxCrashes),
    windowMs: read('STRATA_CRASH_LOOP_WINDOW_MS', DEFAULT_RESTART_POLICY.windowMs),
  };
  return { ...opts, maxDelayMs: Math.max(opts.maxDelayMs, opts.baseDelayMs) };
}

export type CrashDecision =
  /** restart after `delayMs`; `crashes` = crashes within the window, this one included */
  { action: 'restart'; delayMs: number; crashes: number } | { action: 'give-up'; crashes: number };

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(readonly opts: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Records a crash at `now` and says what to do. The backoff resets once the window is quiet. */
  crashed(now = Date.now()): CrashDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.opts.windowMs);
    this.crashes.push(now);
    const n = this.crashes.length;
    if (n >= this.opts.maxCrashes) return { action: 'give-up', crashes: n };
    const delayMs = Math.min(this.opts.baseDelayMs * 2 ** (n - 1), this.opts.maxDelayMs);
    return { action: 'restart', delayMs, crashes: n };
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
