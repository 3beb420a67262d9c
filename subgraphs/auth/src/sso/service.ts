// Single sign-on (docs/auth.md): starts an OAuth2/OIDC sign-in (authorization URL + sealed
// transaction) and finishes it (code exchange, identity validation) by mapping the provider's
// subject to a Strata user through the `identities` table, then opening a normal login session
// (JWT access token + rotating refresh token). A first sign-in creates the user when the
// provider allows it (`_AUTO_CREATE`, roles `_DEFAULT_ROLES`); existing accounts are never
// taken over by a matching name or e-mail.
import { randomBytes } from 'node:crypto';
import * as oidcClient from 'openid-client';
import { errors, safeEqual, type Logger } from '@strata/shared';
import type { AuthPrisma } from '../db.ts';
import type { SessionService, TokenPair } from '../sessions.ts';
import { USER_PUBLIC_FIELDS, type UserRecord } from '../store/users.ts';
import { readSsoProviders, type SsoProtocol, type SsoProviderConfig } from './config.ts';
import { OAuth2Client } from './oauth2.ts';
import { OidcClient, type ExternalIdentity } from './oidc.ts';
import { TransactionCodec, type SsoTransaction } from './transaction.ts';

export interface SsoProviderInfo {
  name: string;
  protocol: SsoProtocol;
  display_name: string;
  authorize_url: string;
}

interface Flow {
  authorizationUrl(t: SsoTransaction): Promise<string>;
  callback(callbackUrl: URL, t: SsoTransaction): Promise<ExternalIdentity>;
}

/** Only same-origin relative paths (no `//host`, no scheme): no open redirects. */
export function safeRedirectPath(v: string | null | undefined): string | null {
  if (!v) return null;
  if (!v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || /[\r\n]/.test(v) || v.length > 2000)
    throw errors.badInput('redirect_to must be a path on this site, e.g. /graphql', { field: 'redirect_to' });
  return v;
}

const USERNAME_OK = /^[a-zA-Z0-9_.@+-]{1,150}$/;

export class SsoService {
  private readonly providers = new Map<string, { config: SsoProviderConfig; flow: Flow }>();
  private readonly codec: TransactionCodec;
  private readonly publicUrl: string | null;

  constructor(
    private readonly prisma: AuthPrisma,
    private readonly sessions: SessionService,
    env: NodeJS.ProcessEnv,
    secret: string,
    private readonly logger: Logger,
  ) {
    this.codec = new TransactionCodec(secret);
    this.publicUrl = env.STRATA_PUBLIC_URL ? env.STRATA_PUBLIC_URL.replace(/\/+$/, '') : null;
    for (const config of readSsoProviders(env)) {
      const flow: Flow = config.protocol === 'oidc' ? new OidcClient(config, logger) : new OAuth2Client(config, logger);
      this.providers.set(`${config.protocol}:${config.name}`, { config, flow });
    }
  }

  list(): SsoProviderInfo[] {
    return [...this.providers.values()].map(({ config }) => ({
      name: config.name,
      protocol: config.protocol,
      display_name: config.displayName,
      authorize_url: `/api/${config.protocol}/${config.name}/authorize`,
    }));
  }

  private provider(protocol: string, name: string) {
    const p = this.providers.get(`${protocol.toLowerCase()}:${name.toLowerCase()}`);
    if (!p) throw errors.notFound(`Unknown ${protocol} provider: ${name}`);
    return p;
  }

  /** The redirect URI must be this installation's callback route when STRATA_PUBLIC_URL is set. */
  private checkRedirectUri(protocol: string, name: string, redirectUri: string): void {
    let u: URL;
    try {
      u = new URL(redirectUri);
    } catch {
      throw errors.badInput('redirect_uri must be an absolute URL', { field: 'redirect_uri' });
    }
    const expectedPath = `/api/${protocol}/${name}/token`;
    if (u.pathname !== expectedPath || u.search || u.hash) throw errors.badInput(`redirect_uri must be <origin>${expectedPath}`, { field: 'redirect_uri' });
    if (this.publicUrl && `${u.origin}${u.pathname}` !== `${new URL(this.publicUrl).origin}${expectedPath}`)
      throw errors.badInput('redirect_uri is not on STRATA_PUBLIC_URL', { field: 'redirect_uri' });
  }

  async authorize(protocol: string, name: string, redirectUri: string, redirectTo: string | null): Promise<{ authorization_url: string; transaction: string }> {
    const { config, flow } = this.provider(protocol, name);
    this.checkRedirectUri(config.protocol, config.name, redirectUri);
    const t: SsoTransaction = {
      protocol: config.protocol,
      provider: config.name,
      state: oidcClient.randomState(),
      nonce: oidcClient.randomNonce(),
      verifier: oidcClient.randomPKCECodeVerifier(),
      redirect_uri: redirectUri,
      redirect_to: safeRedirectPath(redirectTo),
    };
    return { authorization_url: await flow.authorizationUrl(t), transaction: await this.codec.seal(t) };
  }

  async callback(protocol: string, name: string, callbackUrl: string, sealed: string): Promise<TokenPair & { redirect_to: string | null }> {
    const { config, flow } = this.provider(protocol, name);
    const t = await this.codec.open(sealed);
    if (t.protocol !== config.protocol || t.provider !== config.name) throw errors.unauthenticated('The sign-in was started with another provider: start again');
    let url: URL;
    try {
      url = new URL(callbackUrl);
    } catch {
      throw errors.badInput('callback_url must be an absolute URL', { field: 'callback_url' });
    }
    // the state must come back unchanged (openid-client checks it too; passport-oauth2 via its store)
    const state = url.searchParams.get('state') ?? '';
    if (!url.searchParams.get('error') && !safeEqual(state, t.state)) throw errors.unauthenticated(`Sign-in with ${config.displayName} failed: state mismatch`);
    if (url.searchParams.get('error'))
      throw errors.unauthenticated(`Sign-in with ${config.displayName} failed: the provider answered ${url.searchParams.get('error')!.slice(0, 100)}`);
    // the code is redeemed for the registered redirect URI, whatever host the callback reached
    const forGrant = new URL(t.redirect_uri);
    forGrant.search = url.search;
    const identity = await flow.callback(forGrant, t);
    const user = await this.userFor(config, identity);
    const pair = await this.sessions.startSession(user);
    this.logger.info({ provider: config.name, protocol: config.protocol, user: user.username }, 'single sign-on');
    return { ...pair, redirect_to: t.redirect_to };
  }

  /** The linked user, or a new one (auto-create); refuses disabled users. */
  private async userFor(config: SsoProviderConfig, id: ExternalIdentity): Promise<UserRecord> {
    const provider = `${config.protocol}:${config.name}`;
    const linked = await this.prisma.identity.findUnique({ where: { provider_subject: { provider, subject: id.subject } }, include: { user: { select: USER_PUBLIC_FIELDS } } });
    if (linked) {
      if (!linked.user.isActive) throw errors.unauthenticated('User account is disabled');
      await this.prisma.identity.update({ where: { id: linked.id }, data: { lastLoginAt: new Date() } });
      return linked.user;
    }
    if (!config.autoCreate) throw errors.forbidden(`No Strata account is linked to this ${config.displayName} identity: ask an admin`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const username = await this.freeUsername(config, id, attempt);
      try {
        return await this.prisma.$transaction(async (tx) => {
          const user = await tx.user.create({ data: { username, passwordHash: null, roles: config.defaultRoles, isActive: true }, select: USER_PUBLIC_FIELDS });
          await tx.identity.create({ data: { userId: user.id, provider, subject: id.subject, lastLoginAt: new Date() } });
          return user;
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002') throw err;
        // a concurrent first sign-in of the same identity: use its user
        const again = await this.prisma.identity.findUnique({ where: { provider_subject: { provider, subject: id.subject } }, include: { user: { select: USER_PUBLIC_FIELDS } } });
        if (again) return again.user;
      }
    }
    throw errors.internal('Could not create a user for this identity');
  }

  private async freeUsername(config: SsoProviderConfig, id: ExternalIdentity, attempt: number): Promise<string> {
    const base = (id.usernames.find((u) => USERNAME_OK.test(u)) ?? `${config.name}-${id.subject}`.replace(/[^a-zA-Z0-9_.@+-]/g, '-')).slice(0, 120);
    const candidates = attempt === 0 ? [base, `${base}-${config.name}`] : [`${base}-${randomBytes(3).toString('hex')}`];
    for (const c of candidates) {
      if (!(await this.prisma.user.findUnique({ where: { username: c }, select: { id: true } }))) return c;
    }
    return `${base}-${randomBytes(3).toString('hex')}`;
  }
}
