// Auth-specific authorisation on top of the shared rules (@strata/shared authorization.ts).
import { errors, requireUser, type Principal, type RequestContext } from '@strata/shared';
import { isUuid } from '../store/filters.ts';

export { isAdmin, refuseTimeTravel, requireAdmin, requireUser } from '@strata/shared';

/** A principal backed by a user row (not a `system:<service>` caller). */
export function isAccountUser(p: Principal): boolean {
  return p.via !== 'system' && isUuid(p.id);
}

export function requireAccountUser(ctx: RequestContext): Principal {
  const p = requireUser(ctx);
  if (!isAccountUser(p)) throw errors.forbidden('This operation needs a user account');
  return p;
}
