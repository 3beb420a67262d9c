// Authorisation checks shared by the auth resolvers, based on the gateway-signed context.
import { errors, type Principal, type RequestContext } from '@strata/shared';
import { isUuid } from '../store/filters.ts';

export function requireUser(ctx: RequestContext): Principal {
  if (!ctx.user) throw errors.unauthenticated();
  return ctx.user;
}

export function isAdmin(p: Principal): boolean {
  return p.roles.includes('admin');
}

export function requireAdmin(ctx: RequestContext): Principal {
  const p = requireUser(ctx);
  if (!isAdmin(p)) throw errors.forbidden('Only admins may do this');
  return p;
}

/** A principal backed by a user row (not a `system:<service>` caller). */
export function isAccountUser(p: Principal): boolean {
  return p.via !== 'system' && isUuid(p.id);
}

export function requireAccountUser(ctx: RequestContext): Principal {
  const p = requireUser(ctx);
  if (!isAccountUser(p)) throw errors.forbidden('This operation needs a user account');
  return p;
}

/** CONTRACT §3: writes with `at` are refused. */
export function refuseTimeTravel(ctx: RequestContext): void {
  if (ctx.at) throw errors.badInput('Writes are not possible with `at` (time travel is read-only)', { field: 'at' });
}
