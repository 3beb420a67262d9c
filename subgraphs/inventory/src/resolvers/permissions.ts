// Who may write on which branch (docs/auth.md): the shared rule (admins and editors; viewers never).
import { requireWriter, type RequestContext } from '@strata/shared';

export function assertCanWrite(ctx: RequestContext): void {
  requireWriter(ctx);
}
