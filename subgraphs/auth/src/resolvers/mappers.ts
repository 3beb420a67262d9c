// Store records -> GraphQL object shapes (snake_case, NetBox v2 dialect).
import type { ApiTokenRecord, UserRecord } from '../store/index.ts';
import { isTokenActive } from '../store/api-tokens.ts';

export interface UserTypeShape {
  id: string;
  display: string;
  class_type: 'User';
  username: string;
  roles: string[];
  is_active: boolean;
  created: Date;
  last_updated: Date;
}

export interface ApiTokenTypeShape {
  id: string;
  display: string;
  class_type: 'ApiToken';
  name: string;
  user: UserTypeShape;
  prefix: string;
  last4: string;
  expires: Date | null;
  revoked: Date | null;
  last_used: Date | null;
  created: Date;
  is_active: boolean;
  token: string | null;
}

export function toUserType(u: UserRecord): UserTypeShape {
  return {
    id: u.id,
    display: u.username,
    class_type: 'User',
    username: u.username,
    roles: [...u.roles],
    is_active: u.isActive,
    created: u.createdAt,
    last_updated: u.updatedAt,
  };
}

export function toApiTokenType(t: ApiTokenRecord, token: string | null = null, now = new Date()): ApiTokenTypeShape {
  return {
    id: t.id,
    display: `${t.name} (${t.prefix}…${t.last4})`,
    class_type: 'ApiToken',
    name: t.name,
    user: toUserType(t.user),
    prefix: t.prefix,
    last4: t.last4,
    expires: t.expiresAt,
    revoked: t.revokedAt,
    last_used: t.lastUsedAt,
    created: t.createdAt,
    is_active: isTokenActive(t, now),
    token,
  };
}
