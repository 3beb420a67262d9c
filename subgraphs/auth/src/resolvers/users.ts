// Query.me, Query.user, Query.user_list and UserType entity references.
import { errors, RoleSchema, type SubgraphContext } from '@strata/shared';
import type { AuthStore, UserFilter } from '../store/index.ts';
import { resolvePage, type PaginationInput } from '../store/pagination.ts';
import { isAccountUser, isAdmin, requireAdmin, requireUser } from './guards.ts';
import { toUserType, type UserTypeShape } from './mappers.ts';

export interface ResolverDeps {
  store: AuthStore;
  maxPageSize: number;
  /** tells gateways to drop cached identities (a token was revoked) */
  onRevoked?: () => Promise<void>;
}

/** Rejects role names that are not admin/editor/viewer, anywhere in a (nested) filter. */
function checkUserFilter(f: UserFilter | null | undefined): void {
  if (!f) return;
  if (f.role != null && !RoleSchema.safeParse(f.role).success) {
    throw errors.badInput(`Unknown role ${JSON.stringify(f.role)} (expected admin, editor or viewer)`, { field: 'filters.role' });
  }
  checkUserFilter(f.AND);
  checkUserFilter(f.OR);
  checkUserFilter(f.NOT);
}

export function userResolvers({ store, maxPageSize }: ResolverDeps) {
  return {
    Query: {
      async me(_: unknown, __: unknown, { ctx }: SubgraphContext): Promise<UserTypeShape | null> {
        const p = requireUser(ctx);
        if (!isAccountUser(p)) return null;
        const user = await store.users.findById(p.id);
        if (!user?.isActive) throw errors.unauthenticated('User account is disabled or no longer exists');
        return toUserType(user);
      },
      async user(_: unknown, args: { id: string }, { ctx }: SubgraphContext): Promise<UserTypeShape> {
        const p = requireUser(ctx);
        if (!isAdmin(p) && p.id !== args.id) throw errors.forbidden('Only admins may read other users');
        const user = await store.users.findById(args.id);
        if (!user) throw errors.notFound();
        return toUserType(user);
      },
      async user_list(_: unknown, args: { filters?: UserFilter | null; pagination?: PaginationInput | null }, { ctx }: SubgraphContext) {
        requireAdmin(ctx);
        checkUserFilter(args.filters);
        const page = resolvePage(args.pagination, maxPageSize);
        const { results, totalCount } = await store.users.list(args.filters, page);
        return { results: results.map(toUserType), total_count: totalCount, page_info: page };
      },
    },
    UserType: {
      async __resolveReference(ref: { id: string }, { ctx }: SubgraphContext): Promise<UserTypeShape | null> {
        requireUser(ctx);
        const user = await store.users.findById(ref.id);
        return user ? toUserType(user) : null;
      },
    },
  };
}
