// Time-travel instants (docs/api.md#paths): absolute ISO 8601 or relative durations like `-1h30m`.
// Resolved once per request at the gateway; subgraphs only ever see absolute ISO strings.
import { errors } from './errors.ts';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const RELATIVE = /^-?((?:\d+[smhdw])+)$/;
const RELATIVE_PART = /(\d+)([smhdw])/g;
/** The earliest instant `at` may name: year 1 (older ones have no ISO 8601 form the subgraphs take). */
export const EARLIEST_AT = Date.parse('0001-01-01T00:00:00Z');
// ISO 8601 date or date-time; offsets allowed. Date.parse does the calendar checks.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parses an `at` value into an absolute instant. Throws BAD_USER_INPUT on garbage or the future. */
export function parseAt(input: string, now: Date = new Date()): Date {
  const value = input.trim();
  const rel = RELATIVE.exec(value);
  let result: Date;
  if (rel) {
    let ms = 0;
    for (const m of rel[1]!.matchAll(RELATIVE_PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    result = new Date(now.getTime() - ms);
  } else if (ISO.test(value)) {
    const t = Date.parse(value.replace(' ', 'T'));
    if (Number.isNaN(t)) throw errors.badInput(`Invalid time: ${JSON.stringify(input)}`, { field: 'at' });
    result = new Date(t);
  } else {
    throw errors.badInput(`Invalid time: ${JSON.stringify(input)} (use ISO 8601 or a relative duration such as -1h30m)`, { field: 'at' });
  }
  if (Number.isNaN(result.getTime())) throw errors.badInput(`Invalid time: ${JSON.stringify(input)}`, { field: 'at' });
  if (result.getTime() < EARLIEST_AT) throw errors.badInput(`Time out of range: ${JSON.stringify(input)} is before the year 1`, { field: 'at' });
  // Allow a little clock skew between client and server.
  if (result.getTime() > now.getTime() + 1_000) {
    throw errors.badInput(`Time travel into the future is not possible: ${input}`, { field: 'at' });
  }
  return result;
}
