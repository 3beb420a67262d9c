// Login sessions: password login issues a JWT access token and a rotating refresh token;
// refreshing rotates (a reused refresh token revokes its whole family); logout revokes the
// family. Failed logins are throttled per username (lockout after repeated failures).
import { randomUUID } from 'node:crypto';
import { accessTokenTtlSeconds, errors, jwtKeysFromEnv, refreshTokenTtlSeconds, signAccessToken, type JwtKey, type Principal } from '@strata/shared';
import { hashPassword, verifyPassword } from './crypto/passwords.ts';
import { hashToken } from './crypto/tokens.ts';
import type { AuthPrisma } from './db.ts';
import type { UserRecord, UserStore } from './store/users.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const REFRESH_PREFIX = 'strata_rt_';
const MAX_FAILURES = 5;
const LOCKOUT_MS = 5 * 60_000;
/** failures older than this are forgotten */
const FAILURE_WINDOW_MS = 15 * 60_000;
/** at most this many usernames are tracked (oldest forgotten first): bounded memory */
const MAX_TRACKED = 100_000;
const MAX_PASSWORD_LENGTH = 1024;

function principalOf(u: UserRecord): Principal {
  return { id: u.id, username: u.username, roles: u.roles as Principal['roles'], via: 'jwt' };
}

export class SessionService {
  private readonly key: JwtKey;
  private readonly accessTtl: number;
  private readonly refreshTtlMs: number;
  private readonly failures = new Map<string, { count: number; first: number; lockedUntil: number }>();
  /** a real argon2id hash to check unknown users against (same work as for a known user) */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly prisma: AuthPrisma,
    private readonly users: UserStore,
    env: NodeJS.ProcessEnv,
    private readonly onRevoked: () => Promise<void> = async () => {},
  ) {
    this.key = jwtKeysFromEnv(env).current;
    this.accessTtl = accessTokenTtlSeconds(env);
    this.refreshTtlMs = refreshTokenTtlSeconds(env) * 1000;
  }

  async login(username: string, password: string): Promise<TokenPair> {
    const key = username.toLowerCase();
    const now = Date.now();
    let f = this.failures.get(key);
    if (f && f.lockedUntil > now) throw errors.unauthenticated('Too many failed logins: try again later');
    if (f && (f.lockedUntil !== 0 || now - f.first > FAILURE_WINDOW_MS)) f = undefined; // lockout over or old failures
    const found = username.length <= 150 ? await this.users.findCredentials(username) : null;
    // the password is always checked against an argon2id hash, also for unknown users and users
    // without a password: the same work either way (no user enumeration by timing)
    this.dummyHash ??= hashPassword(randomUUID());
    const hash = found?.passwordHash ?? (await this.dummyHash);
    const ok = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(hash, password)) && !!found?.passwordHash;
    if (!found || !ok || !found.user.isActive) {
      const next = { count: (f?.count ?? 0) + 1, first: f?.first ?? now, lockedUntil: 0 };
      if (next.count >= MAX_FAILURES) next.lockedUntil = now + LOCKOUT_MS;
      this.failures.delete(key);
      if (this.failures.size >= MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, next);
      throw errors.unauthenticated('Invalid username or password');
    }
    this.failures.delete(key);
    return this.issue(found.user, randomUUID());
  }

  /** A new login session for a user who signed in some other way (OAuth2/OIDC). */
  startSession(user: UserRecord): Promise<TokenPair> {
    return this.issue(user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) }, include: { user: true } });
    if (!row) throw errors.unauthenticated('Invalid refresh token');
    if (row.revokedAt || row.replacedById) {
      // reuse of a rotated or revoked token: someone copied it; end the whole session family
      await this.revokeFamily(row.familyId);
      throw errors.unauthenticated('Refresh token reuse detected: the session was ended');
    }
    if (row.expiresAt.getTime() <= Date.now() || !row.user.isActive) throw errors.unauthenticated('Refresh token expired');
    const pair = await this.issue(row.user, row.familyId, row.id);
    return pair;
  }

  async logout(refreshToken: string | null, principal: Principal | null): Promise<void> {
    if (refreshToken) {
      const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) } });
      if (row && (!principal || principal.via === 'system' || row.userId === principal.id)) await this.revokeFamily(row.familyId);
      return;
    }
    if (principal && principal.via !== 'system') {
      await this.prisma.refreshToken.updateMany({ where: { userId: principal.id, revokedAt: null }, data: { revokedAt: new Date() } });
      await this.onRevoked();
    }
  }

  /** A session (refresh token family) is alive while its latest token is neither revoked nor rotated away. */
  async isSessionAlive(familyId: string, userId: string): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(familyId)) return false;
    const live = await this.prisma.refreshToken.count({ where: { familyId, userId, revokedAt: null, replacedById: null } });
    return live > 0;
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    await this.onRevoked();
  }

  private async issue(user: UserRecord, familyId: string, replaces?: string): Promise<TokenPair> {
    const refresh = REFRESH_PREFIX + randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    const created = await this.prisma.$transaction(async (tx) => {
      const next = await tx.refreshToken.create({
        data: { userId: user.id, familyId, tokenHash: hashToken(refresh), expiresAt: new Date(Date.now() + this.refreshTtlMs) },
      });
      if (replaces) {
        // compare-and-set: only one of two concurrent refreshes with the same token wins
        const { count } = await tx.refreshToken.updateMany({ where: { id: replaces, replacedById: null, revokedAt: null }, data: { replacedById: next.id } });
        if (count === 0) throw errors.unauthenticated('Refresh token already used');
      }
      return next;
    });
    void created;
    return {
      access_token: await signAccessToken(principalOf(user), this.key, this.accessTtl, familyId),
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.accessTtl,
    };
  }
}
