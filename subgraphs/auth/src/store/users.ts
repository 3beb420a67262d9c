// Users of the auth schema: lookups, lists with NetBox-style filters, and creation. Password
// hashes never leave this module except through `findCredentials` (login, issue 5).
import type { AuthPrisma, Role, User } from '../db.ts';
import type { UserWhereInput } from '../generated/prisma/models.ts';
import { hashPassword } from '../crypto/passwords.ts';
import { idConditions, isUuid, strConditions, type BoolLookup, type IdLookup, type StrLookup } from './filters.ts';
import type { Page } from './pagination.ts';

export type UserRecord = Omit<User, 'passwordHash'>;

export interface UserFilter {
  id?: IdLookup | null;
  username?: StrLookup | null;
  is_active?: BoolLookup | null;
  /** users holding this role */
  role?: Role | null;
  AND?: UserFilter | null;
  OR?: UserFilter | null;
  NOT?: UserFilter | null;
}

const PUBLIC_FIELDS = {
  id: true,
  username: true,
  roles: true,
  isActive: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** NetBox semantics: `OR: X` is (the other conditions) OR X; `NOT: X` ANDs in not-X. */
export function userWhere(f: UserFilter | null | undefined): UserWhereInput {
  if (!f) return {};
  const own: UserWhereInput[] = [...idConditions(f.id).map((c) => ({ id: c })), ...strConditions(f.username).map((c) => ({ username: c }))];
  if (f.is_active?.exact != null) own.push({ isActive: f.is_active.exact });
  if (f.is_active?.is_null === true) own.push({ id: { in: [] } });
  if (f.role) own.push({ roles: { has: f.role } });
  if (f.AND) own.push(userWhere(f.AND));
  if (f.NOT) own.push({ NOT: userWhere(f.NOT) });
  const base: UserWhereInput = { AND: own };
  return f.OR ? { OR: [base, userWhere(f.OR)] } : base;
}

export class UserStore {
  constructor(private readonly prisma: AuthPrisma) {}

  async findById(id: string): Promise<UserRecord | null> {
    if (!isUuid(id)) return null;
    return this.prisma.user.findUnique({ where: { id }, select: PUBLIC_FIELDS });
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    return this.prisma.user.findUnique({ where: { username }, select: PUBLIC_FIELDS });
  }

  /** The stored password hash, for password login (issue 5). */
  async findCredentials(username: string): Promise<{ user: UserRecord; passwordHash: string | null } | null> {
    const row = await this.prisma.user.findUnique({ where: { username } });
    if (!row) return null;
    const { passwordHash, ...user } = row;
    return { user, passwordHash };
  }

  async list(filter: UserFilter | null | undefined, page: Page): Promise<{ results: UserRecord[]; totalCount: number }> {
    const where = userWhere(filter);
    const [results, totalCount] = await Promise.all([
      this.prisma.user.findMany({
        where,
        select: PUBLIC_FIELDS,
        orderBy: [{ username: 'asc' }, { id: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
      this.prisma.user.count({ where }),
    ]);
    return { results, totalCount };
  }

  async create(input: { username: string; password?: string | null; roles: Role[]; isActive?: boolean }): Promise<UserRecord> {
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    return this.prisma.user.create({
      data: { username: input.username, passwordHash, roles: input.roles, isActive: input.isActive ?? true },
      select: PUBLIC_FIELDS,
    });
  }
}

export { PUBLIC_FIELDS as USER_PUBLIC_FIELDS };
