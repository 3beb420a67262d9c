// Authorisation checks for branch operations, based on the gateway-signed context (docs/auth.md:
// viewers cannot write; writes need admin or editor; writes with `at` are refused, §3).
import { errors, type RequestContext } from '@strata/shared';

export { requireUser, requireWriter } from '@strata/shared';

/** Branch operations work on the branch as it is now: `at` would silently be ignored, so it is refused. */
export function refuseAt(ctx: RequestContext, what: string): void {
  if (ctx.at) throw errors.badInput(`${what} works on the branch as it is now and cannot be combined with \`at\``, { field: 'at' });
}
