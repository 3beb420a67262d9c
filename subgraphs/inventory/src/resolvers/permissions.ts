// Who may write on which branch (CONTRACT §7): viewers never; on `main` only admin/editor.
import { errors, type RequestContext } from '@strata/shared';

export function assertCanWrite(ctx: RequestContext): void {
  if (!ctx.user) throw errors.unauthenticated();
  const roles = ctx.user.roles;
  if (roles.includes('admin') || roles.includes('editor')) return;
  throw errors.forbidden(`User ${ctx.user.username} may not write on branch ${ctx.branch}`);
}
