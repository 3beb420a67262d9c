// Query.api_token_list, Mutation.api_token_create / api_token_revoke. Users manage their own
// tokens; admins see and revoke everyone's. The clear-text token is returned by create only.
import { errors, type SubgraphContext } from '@strata/shared';
import type { ApiTokenFilter } from '../store/index.ts';
import { resolvePage, type PaginationInput } from '../store/pagination.ts';
import { isAdmin, refuseTimeTravel, requireAccountUser, requireUser } from './guards.ts';
import { toApiTokenType, type ApiTokenTypeShape } from './mappers.ts';
import type { ResolverDeps } from './users.ts';

export const MAX_TOKEN_NAME_LENGTH = 100;

interface ApiTokenCreateInput {
  name: string;
  expires?: Date | null;
}

export function apiTokenResolvers(deps: ResolverDeps) {
  const { store, maxPageSize } = deps;
  return {
    Query: {
      async api_token_list(_: unknown, args: { filters?: ApiTokenFilter | null; pagination?: PaginationInput | null }, { ctx }: SubgraphContext) {
        const p = requireUser(ctx);
        const page = resolvePage(args.pagination, maxPageSize);
        const { results, totalCount } = await store.apiTokens.list(args.filters, page, isAdmin(p) ? undefined : p.id);
        const now = new Date();
        return { results: results.map((t) => toApiTokenType(t, null, now)), total_count: totalCount, page_info: page };
      },
    },
    Mutation: {
      async api_token_create(_: unknown, args: { data: ApiTokenCreateInput }, { ctx }: SubgraphContext): Promise<ApiTokenTypeShape> {
        refuseTimeTravel(ctx);
        const p = requireAccountUser(ctx);
        const name = args.data.name.trim();
        if (!name) throw errors.validation('name must not be empty', { field: 'name' });
        if (name.length > MAX_TOKEN_NAME_LENGTH) {
          throw errors.validation(`name must be at most ${MAX_TOKEN_NAME_LENGTH} characters`, { field: 'name' });
        }
        const expiresAt = args.data.expires ?? null;
        if (expiresAt && expiresAt.getTime() <= Date.now()) {
          throw errors.validation('expires must be in the future', { field: 'expires' });
        }
        const user = await store.users.findById(p.id);
        if (!user?.isActive) throw errors.unauthenticated('User account is disabled or no longer exists');
        const { record, token } = await store.apiTokens.create({ userId: user.id, name, expiresAt });
        return toApiTokenType(record, token);
      },
      async api_token_revoke(_: unknown, args: { id: string }, { ctx }: SubgraphContext): Promise<ApiTokenTypeShape> {
        refuseTimeTravel(ctx);
        const p = requireUser(ctx);
        const existing = await store.apiTokens.findById(args.id);
        // someone else's token looks exactly like a missing one
        if (!existing || (!isAdmin(p) && existing.userId !== p.id)) throw errors.notFound('API token not found');
        const revoked = await store.apiTokens.revoke(existing.id);
        if (!revoked) throw errors.notFound('API token not found');
        await deps.onRevoked?.();
        return toApiTokenType(revoked);
      },
    },
  };
}
