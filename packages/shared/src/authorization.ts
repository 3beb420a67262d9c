// Who may do what (docs/api.md#paths), decided once for every subgraph from the gateway-signed
// context: one function and one message per rule. Subgraphs call these from their resolvers.
import type { Principal, RequestContext, Role } from './context.ts';
import { errors } from './errors.ts';

export const hasRole = (p: Principal, ...roles: Role[]): boolean => p.roles.some((r) => roles.includes(r));
export const isAdmin = (p: Principal): boolean => hasRole(p, 'admin');
export const canWrite = (p: Principal): boolean => hasRole(p, 'admin', 'editor');

/** Any authenticated caller. */
export function requireUser(ctx: RequestContext): Principal {
  if (!ctx.user) throw errors.unauthenticated();
  return ctx.user;
}

/** Writes are read-only in the past (docs/api.md#paths). */
export function refuseTimeTravel(ctx: RequestContext): void {
  if (ctx.at) throw errors.badInput('Writes are not possible with `at` (time travel is read-only)', { field: 'at' });
}

/** Changing data or branches: admins and editors, never with `at` (viewers never write). */
export function requireWriter(ctx: RequestContext): Principal {
  refuseTimeTravel(ctx);
  const user = requireUser(ctx);
  if (!canWrite(user)) throw errors.forbidden(`User ${user.username} may not write (needs the admin or editor role)`, { branch: ctx.branch });
  return user;
}

/** Managing users and other people's tokens. */
export function requireAdmin(ctx: RequestContext): Principal {
  const user = requireUser(ctx);
  if (!isAdmin(user)) throw errors.forbidden('Only admins may do this');
  return user;
}
