// Login sessions: password login issues a JWT access token and a rotating refresh token;
// refreshing rotates (a reused refresh token revokes its whole family); logout revokes the
// family. Failed logins are throttled per username (throttle.ts: a lockout shared by every auth
// instance).
// Concurrent refreshes: a client (or several tabs) may send one refresh token twice at once.
// Within STRATA_JWT_REFRESH_GRACE seconds (default 10, 0 = off) of its rotation, presenting the
// rotated token again answers the pair that rotation produced instead of ending the session:
// the next refresh token is derived from the previous one (HMAC under a key only auth instances
// hold, so nothing secret is stored) and the access token is signed again with the same `iat` and
// `jti` (the same token for HMAC/RSA/EdDSA keys). Later reuse still revokes the family.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { accessTokenTtlSeconds, errors, jwtKeysFromEnv, refreshTokenTtlSeconds, requireContextSecret, signAccessToken, type JwtKey, type Principal } from '@strata/shared';
import { hashToken } from './crypto/tokens.ts';
import type { AuthPrisma } from './db.ts';
import { hashPassword, verifyPassword } from './crypto/passwords.ts';
import type { UserRecord, UserStore } from './store/users.ts';
import type { SignInThrottle } from './throttle.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const REFRESH_PREFIX = 'strata_rt_';
const MAX_PASSWORD_LENGTH = 1024;
/** how many rotations a late duplicate may follow to the session's newest pair */
const MAX_REPLAY_CHAIN = 20;

/** STRATA_JWT_REFRESH_GRACE: seconds during which a just-rotated refresh token answers the same new pair (default 10, 0 = off). */
export function refreshGraceMs(env: NodeJS.ProcessEnv): number {
  const raw = env.STRATA_JWT_REFRESH_GRACE?.trim();
  if (!raw) return 10_000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 300)
    throw new Error(`STRATA_JWT_REFRESH_GRACE must be a number of seconds from 0 (off) to 300 (got ${JSON.stringify(env.STRATA_JWT_REFRESH_GRACE)})`);
  return Math.round(n * 1000);
}

function principalOf(u: UserRecord): Principal {
  return { id: u.id, username: u.username, roles: u.roles as Principal['roles'], via: 'jwt' };
}

/** A stored refresh token with what issuing its pair needs. */
interface RefreshRow {
  id: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedById: string | null;
  createdAt: Date;
  user: UserRecord;
}

export class SessionService {
  private readonly key: JwtKey;
  private readonly accessTtl: number;
  private readonly refreshTtlMs: number;
  private readonly graceMs: number;
  /** derives the refresh token a rotation produces from the one it replaces */
  private readonly rotationKey: Buffer;
  /** a real argon2id hash to check unknown users against (same work as for a known user) */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly prisma: AuthPrisma,
    private readonly users: UserStore,
    env: NodeJS.ProcessEnv,
    private readonly throttle: SignInThrottle,
    private readonly onRevoked: () => Promise<void> = async () => {},
  ) {
    this.key = jwtKeysFromEnv(env).current;
    this.accessTtl = accessTokenTtlSeconds(env);
    this.refreshTtlMs = refreshTokenTtlSeconds(env) * 1000;
    this.graceMs = refreshGraceMs(env);
    this.rotationKey = createHash('sha256')
      .update(`strata-refresh-rotation\0${requireContextSecret(env)}`)
      .digest();
  }

  async login(username: string, password: string): Promise<TokenPair> {
    if (await this.throttle.usernameLocked(username)) throw errors.unauthenticated('Too many failed logins: try again later');
    const found = username.length <= 150 ? await this.users.findCredentials(username) : null;
    // the password is always checked against an argon2id hash, also for unknown users and users
    // without a password: the same work either way (no user enumeration by timing)
    this.dummyHash ??= hashPassword(randomUUID());
    const hash = found?.passwordHash ?? (await this.dummyHash);
    const ok = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(hash, password)) && !!found?.passwordHash;
    if (!found || !ok || !found.user.isActive) {
      await this.throttle.usernameFailed(username);
      throw errors.unauthenticated('Invalid username or password');
    }
    await this.throttle.usernameSucceeded(username);
    return this.startSession(found.user);
  }

  /** A new login session (refresh token family), after a password or single sign-on. */
  async startSession(user: UserRecord): Promise<TokenPair> {
    const refresh = REFRESH_PREFIX + randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    const row = await this.prisma.refreshToken.create({
      data: { userId: user.id, familyId: randomUUID(), tokenHash: hashToken(refresh), expiresAt: new Date(Date.now() + this.refreshTtlMs), createdAt: new Date() },
    });
    return this.pairOf(user, row, refresh);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const row = await this.find(refreshToken);
    if (!row) throw errors.unauthenticated('Invalid refresh token');
    if (row.revokedAt) {
      await this.revokeFamily(row.familyId);
      throw errors.unauthenticated('Refresh token reuse detected: the session was ended');
    }
    if (row.replacedById) return this.replay(row, refreshToken);
    if (row.expiresAt.getTime() <= Date.now() || !row.user.isActive) throw errors.unauthenticated('Refresh token expired');

    const next = this.nextToken(refreshToken);
    const nextId = randomUUID();
    const createdAt = new Date();
    const created = await this.prisma.$transaction(async (tx) => {
      // compare-and-set: only one of several concurrent refreshes with the same token rotates it
      const { count } = await tx.refreshToken.updateMany({ where: { id: row.id, replacedById: null, revokedAt: null }, data: { replacedById: nextId } });
      if (count === 0) return null;
      return tx.refreshToken.create({
        data: { id: nextId, userId: row.user.id, familyId: row.familyId, tokenHash: hashToken(next), expiresAt: new Date(createdAt.getTime() + this.refreshTtlMs), createdAt },
      });
    });
    if (created) return this.pairOf(row.user, created, next);
    // another request rotated it first: answer what that rotation produced
    if (this.graceMs === 0) throw errors.unauthenticated('Refresh token already used');
    const rotated = await this.find(refreshToken);
    if (!rotated?.replacedById) throw errors.unauthenticated('Refresh token already used');
    return this.replay(rotated, refreshToken);
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

  private find(token: string): Promise<RefreshRow | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  }

  private nextToken(previous: string): string {
    return REFRESH_PREFIX + createHmac('sha256', this.rotationKey).update(previous, 'utf8').digest('hex');
  }

  /**
   * A refresh token that was already rotated. Within the grace window of its rotation: the pair
   * of the session's newest token (following later rotations, whose tokens are derived the same
   * way). Otherwise someone replays a copy: the whole family is revoked.
   */
  private async replay(row: RefreshRow, presented: string): Promise<TokenPair> {
    let current = row;
    let token = presented;
    for (let step = 0; current.replacedById && step < MAX_REPLAY_CHAIN; step++) {
      const next = await this.prisma.refreshToken.findUnique({ where: { id: current.replacedById }, include: { user: true } });
      const nextToken = this.nextToken(token);
      const derivable = next !== null && next.tokenHash === hashToken(nextToken);
      const inWindow = next !== null && (step > 0 || next.createdAt.getTime() + this.graceMs > Date.now());
      if (this.graceMs === 0 || !derivable || !inWindow) {
        await this.revokeFamily(row.familyId);
        throw errors.unauthenticated('Refresh token reuse detected: the session was ended');
      }
      current = next;
      token = nextToken;
    }
    if (current.replacedById || current.revokedAt) throw errors.unauthenticated('The session has ended: log in again');
    if (current.expiresAt.getTime() <= Date.now() || !current.user.isActive) throw errors.unauthenticated('Refresh token expired');
    return this.pairOf(current.user, current, token, true);
  }

  /**
   * The pair of a stored refresh token: the access token is signed as of the row's creation, so
   * signing again gives the same token. `replayed`: expires_in is what is left of its lifetime.
   */
  private async pairOf(user: UserRecord, row: { id: string; familyId: string; createdAt: Date }, refresh: string, replayed = false): Promise<TokenPair> {
    const issuedAt = Math.floor(row.createdAt.getTime() / 1000);
    return {
      access_token: await signAccessToken(principalOf(user), this.key, this.accessTtl, row.familyId, { issuedAt, jti: row.id }),
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: replayed ? Math.max(0, issuedAt + this.accessTtl - Math.floor(Date.now() / 1000)) : this.accessTtl,
    };
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    await this.onRevoked();
  }
}
