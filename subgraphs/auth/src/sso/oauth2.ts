// Plain OAuth2 sign-in with `passport-oauth2` (generic provider by URLs + client id/secret, and
// the Google preset): authorization code flow with state and PKCE (S256), then the provider's
// userinfo endpoint names the user. Passport strategies are Express middleware; here one runs
// per call with a request stand-in, and its state store is the sealed transaction
// (transaction.ts) instead of a server-side session.
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import OAuth2Strategy from 'passport-oauth2';
import { errors, safeEqual, type Logger } from '@strata/shared';
import type { OAuth2ProviderConfig } from './config.ts';
import type { ExternalIdentity } from './oidc.ts';
import type { SsoTransaction } from './transaction.ts';

type Outcome = { kind: 'redirect'; url: string } | { kind: 'success'; user: ExternalIdentity } | { kind: 'fail'; message: string } | { kind: 'error'; err: unknown };

/** What the strategy's state store learnt while building the authorization URL. */
interface Captured {
  state?: string;
  verifier?: string;
}

function pick(obj: Record<string, unknown>, fields: string[]): string[] {
  return fields
    .map((f) => obj[f])
    .filter((v): v is string | number => (typeof v === 'string' && v !== '') || typeof v === 'number')
    .map(String);
}

export class OAuth2Client {
  constructor(
    private readonly p: OAuth2ProviderConfig,
    private readonly logger: Logger,
  ) {}

  private strategy(store: object): OAuth2Strategy {
    const s = new OAuth2Strategy(
      {
        authorizationURL: this.p.authorizationUrl,
        tokenURL: this.p.tokenUrl,
        clientID: this.p.clientId,
        clientSecret: this.p.clientSecret ?? '',
        scope: this.p.scopes,
        state: true,
        pkce: true,
        store: store as never,
      },
      (_accessToken: string, _refreshToken: string, profile: ExternalIdentity, done: (err: unknown, user?: ExternalIdentity) => void) => done(null, profile),
    );
    // the identity comes from the provider's userinfo endpoint
    s.userProfile = (accessToken: string, done: (err?: unknown, profile?: unknown) => void) => {
      this.userinfo(accessToken).then(
        (profile) => done(null, profile),
        (err: unknown) => done(err),
      );
    };
    return s;
  }

  private async userinfo(accessToken: string): Promise<ExternalIdentity> {
    const res = await fetch(this.p.userinfoUrl, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`userinfo answered ${res.status}`);
    const info = (await res.json()) as Record<string, unknown>;
    const subject = pick(info, this.p.subjectFields)[0];
    if (!subject) throw new Error(`userinfo has no ${this.p.subjectFields.join('/')}`);
    return { subject, usernames: pick(info, [...this.p.usernameFields, 'email', 'name']) };
  }

  /** Runs the strategy once against a request stand-in and reports what it decided. */
  private run(store: object, query: Record<string, string>, callbackURL: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const s = Object.create(this.strategy(store)) as OAuth2Strategy & Record<string, unknown>;
      s.redirect = (url: string) => resolve({ kind: 'redirect', url });
      s.success = (user: ExternalIdentity) => resolve({ kind: 'success', user });
      s.fail = (challenge?: unknown) => {
        const m =
          typeof challenge === 'object' && challenge && 'message' in challenge
            ? String((challenge as { message: unknown }).message)
            : typeof challenge === 'string'
              ? challenge
              : 'sign-in refused';
        resolve({ kind: 'fail', message: m });
      };
      s.error = (err: unknown) => resolve({ kind: 'error', err });
      s.pass = () => resolve({ kind: 'fail', message: 'nothing to do' });
      const req = { query, body: {}, headers: {}, url: '/', method: 'GET' } as unknown as Request;
      s.authenticate(req, { callbackURL });
    });
  }

  async authorizationUrl(t: SsoTransaction): Promise<string> {
    const captured: Captured = {};
    const store = {
      // arity 5: passport-oauth2 hands over the PKCE verifier it generated; we use ours instead
      store(_req: unknown, _verifier: string, _state: unknown, _meta: unknown, cb: (err: unknown, state?: string) => void) {
        captured.state = t.state;
        cb(null, t.state);
      },
      verify(_req: unknown, _state: string, cb: (err: unknown, ok: unknown) => void) {
        cb(null, false);
      },
    };
    const out = await this.run(store, {}, t.redirect_uri);
    if (out.kind !== 'redirect') throw errors.internal('could not build the authorization URL');
    // replace passport's random PKCE pair with the one sealed in the transaction
    const url = new URL(out.url);
    url.searchParams.set('code_challenge', createHash('sha256').update(t.verifier).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  }

  async callback(callbackUrl: URL, t: SsoTransaction): Promise<ExternalIdentity> {
    const query = Object.fromEntries(callbackUrl.searchParams.entries());
    if (query.error) throw errors.unauthenticated(`Sign-in with ${this.p.displayName} failed: the provider answered ${query.error}`);
    if (!query.code) throw errors.unauthenticated(`Sign-in with ${this.p.displayName} failed: no authorization code`);
    const store = {
      store(_req: unknown, _verifier: string, _state: unknown, _meta: unknown, cb: (err: unknown) => void) {
        cb(new Error('unexpected'));
      },
      // arity 3; `ok` as a string is the PKCE code verifier sent with the code
      verify(_req: unknown, provided: string, cb: (err: unknown, ok: unknown, info?: unknown) => void) {
        if (typeof provided !== 'string' || !safeEqual(provided, t.state)) cb(null, false, { message: 'state mismatch' });
        else cb(null, t.verifier);
      },
    };
    const out = await this.run(store, query, t.redirect_uri);
    if (out.kind === 'success') return out.user;
    if (out.kind === 'fail') throw errors.unauthenticated(`Sign-in with ${this.p.displayName} failed: ${out.message}`);
    const e = out.kind === 'error' ? (out.err as { message?: string; code?: string }) : {};
    this.logger.warn({ provider: this.p.name, reason: e.message, code: e.code }, 'OAuth2 sign-in failed');
    throw errors.unauthenticated(`Sign-in with ${this.p.displayName} failed: the provider refused the authorization code`);
  }
}
