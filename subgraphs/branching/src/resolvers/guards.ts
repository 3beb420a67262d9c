// Authorisation checks for branch operations, based on the gateway-signed context (CONTRACT §7:
// viewers cannot write; writes need admin or editor; writes with `at` are refused, §3).
import { errors, type Principal, type RequestContext } from '@strata/shared';

/** Branch operations work on the branch as it is now: `at` would silently be ignored, so it is refused. */
export function refuseAt(ctx: RequestContext, what: string): void {
  if (ctx.at) throw errors.badInput(`${what} works on the branch as it is now and cannot be combined with \`at\``, { field: 'at' });
}

export function requireUser(ctx: RequestContext): Principal {
  if (!ctx.user) throw errors.unauthenticated();
  return ctx.user;
}

export function requireWriter(ctx: RequestContext): Principal {
  if (ctx.at) throw errors.badInput('Writes are not possible with `at` (time travel is read-only)', { field: 'at' });
  const user = requireUser(ctx);
  if (!user.roles.some((r) => r === 'admin' || r === 'editor')) throw errors.forbidden('Only admins and editors may change branches');
  return user;
}
