// Authorisation checks for branch writes, based on the gateway-signed context (CONTRACT §7:
// viewers cannot write; writes need admin or editor; writes with `at` are refused, §3).
import { errors, type Principal, type RequestContext } from '@strata/shared';

export function requireWriter(ctx: RequestContext): Principal {
  if (ctx.at) throw errors.badInput('Writes are not possible with `at` (time travel is read-only)', { field: 'at' });
  const user = ctx.user;
  if (!user) throw errors.unauthenticated();
  if (!user.roles.some((r) => r === 'admin' || r === 'editor')) throw errors.forbidden('Only admins and editors may change branches');
  return user;
}
