// API tokens: created with a random secret shown once, stored as sha256 + display hints,
// looked up by digest, revocable, optional expiry, last use recorded at most once a minute.
import type { ApiToken, AuthPrisma } from '../db.ts';
import type { ApiTokenWhereInput } from '../generated/prisma/models.ts';
import { displayParts, generateApiToken, hashToken } from '../crypto/tokens.ts';
import { idConditions, isUuid, safeId, strConditions, type IdLookup, type StrLookup } from './filters.ts';
import type { Page } from './pagination.ts';
import { USER_PUBLIC_FIELDS, type UserRecord } from './users.ts';

export type ApiTokenRecord = ApiToken & { user: UserRecord };

/** last_used_at is written at most this often per token. */
export const LAST_USED_THROTTLE_MS = 60_000;

export interface ApiTokenFilter {
  id?: IdLookup | null;
  name?: StrLookup | null;
  user_id?: string | null;
  /** not revoked and not expired */
  is_active?: boolean | null;
  AND?: ApiTokenFilter | null;
  OR?: ApiTokenFilter | null;
  NOT?: ApiTokenFilter | null;
}

export type TokenLookup =
  | { status: 'ok'; token: ApiTokenRecord }
  | { status: 'unknown' }
  | { status: 'revoked'; token: ApiTokenRecord }
  | { status: 'expired'; token: ApiTokenRecord }
  | { status: 'user_inactive'; token: ApiTokenRecord };

const WITH_USER = { user: { select: USER_PUBLIC_FIELDS } } as const;

export function isTokenActive(t: Pick<ApiToken, 'revokedAt' | 'expiresAt'>, now = new Date()): boolean {
  return !t.revokedAt && (!t.expiresAt || t.expiresAt.getTime() > now.getTime());
}

function activeWhere(now: Date): ApiTokenWhereInput {
  return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

export function apiTokenWhere(f: ApiTokenFilter | null | undefined, now = new Date()): ApiTokenWhereInput {
  if (!f) return {};
  const own: ApiTokenWhereInput[] = [...idConditions(f.id).map((c) => ({ id: c })), ...strConditions(f.name).map((c) => ({ name: c }))];
  if (f.user_id != null) own.push({ userId: safeId(f.user_id) });
  if (f.is_active === true) own.push(activeWhere(now));
  if (f.is_active === false) own.push({ NOT: activeWhere(now) });
  if (f.AND) own.push(apiTokenWhere(f.AND, now));
  if (f.NOT) own.push({ NOT: apiTokenWhere(f.NOT, now) });
  const base: ApiTokenWhereInput = { AND: own };
  return f.OR ? { OR: [base, apiTokenWhere(f.OR, now)] } : base;
}

/** Row data for a new token; `token` defaults to a fresh random one. */
export function newTokenData(input: { userId: string; name: string; expiresAt?: Date | null; token?: string }) {
  const token = input.token ?? generateApiToken();
  return {
    token,
    data: {
      userId: input.userId,
      name: input.name,
      tokenHash: hashToken(token),
      ...displayParts(token),
      expiresAt: input.expiresAt ?? null,
    },
  };
}

export class ApiTokenStore {
  constructor(private readonly prisma: AuthPrisma) {}

  /** Creates a token and returns it in clear text: the only time it is available. */
  async create(input: { userId: string; name: string; expiresAt?: Date | null; token?: string }): Promise<{ record: ApiTokenRecord; token: string }> {
    const { token, data } = newTokenData(input);
    const record = await this.prisma.apiToken.create({ data, include: WITH_USER });
    return { record, token };
  }

  async lookup(token: string, now = new Date()): Promise<TokenLookup> {
    const found = await this.prisma.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: WITH_USER });
    if (!found) return { status: 'unknown' };
    if (found.revokedAt) return { status: 'revoked', token: found };
    if (found.expiresAt && found.expiresAt.getTime() <= now.getTime()) return { status: 'expired', token: found };
    if (!found.user.isActive) return { status: 'user_inactive', token: found };
    return { status: 'ok', token: found };
  }

  /** Records a use; skipped when the last recorded use is recent (one write per token per minute). */
  async touch(token: Pick<ApiToken, 'id' | 'lastUsedAt'>, now = new Date()): Promise<void> {
    const threshold = new Date(now.getTime() - LAST_USED_THROTTLE_MS);
    if (token.lastUsedAt && token.lastUsedAt.getTime() > threshold.getTime()) return;
    // conditional so concurrent instances write once
    await this.prisma.apiToken.updateMany({
      where: { id: token.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: threshold } }] },
      data: { lastUsedAt: now },
    });
  }

  async findById(id: string): Promise<ApiTokenRecord | null> {
    if (!isUuid(id)) return null;
    return this.prisma.apiToken.findUnique({ where: { id }, include: WITH_USER });
  }

  /** `ownerId` restricts the list to one user's tokens (non-admin callers). */
  async list(filter: ApiTokenFilter | null | undefined, page: Page, ownerId?: string): Promise<{ results: ApiTokenRecord[]; totalCount: number }> {
    const conditions: ApiTokenWhereInput[] = [apiTokenWhere(filter)];
    if (ownerId !== undefined) conditions.push({ userId: safeId(ownerId) });
    const where: ApiTokenWhereInput = { AND: conditions };
    const [results, totalCount] = await Promise.all([
      this.prisma.apiToken.findMany({
        where,
        include: WITH_USER,
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
      this.prisma.apiToken.count({ where }),
    ]);
    return { results, totalCount };
  }

  /** Revokes a token (idempotent: an already revoked token keeps its revocation time). */
  async revoke(id: string, now = new Date()): Promise<ApiTokenRecord | null> {
    if (!isUuid(id)) return null;
    await this.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    return this.findById(id);
  }
}
