// Per-kind read permissions (docs/auth.md): STRATA_KIND_READ_ROLES lists kinds that only some
// roles may read, e.g. `IpamIPAddress=admin,editor;CircuitsCircuit=admin`. Kinds not listed are
// readable by every authenticated user. For a kind a user may not read, lists are empty and the
// singular field answers FORBIDDEN.
import type { Principal } from '@strata/shared';

export type ReadPolicy = (kind: string, user: Principal | null) => boolean;

export function readPolicyFromEnv(env: NodeJS.ProcessEnv): ReadPolicy {
  const rules = new Map<string, Set<string>>();
  for (const part of (env.STRATA_KIND_READ_ROLES ?? '').split(';')) {
    const [kind, roles] = part.split('=');
    if (!kind?.trim() || !roles) continue;
    rules.set(
      kind.trim(),
      new Set(
        roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      ),
    );
  }
  return (kind, user) => {
    const allowed = rules.get(kind);
    if (!allowed) return true;
    if (!user) return false;
    if (user.via === 'system') return true;
    return user.roles.some((r) => allowed.has(r));
  };
}
