// OpenID Connect sign-in with `openid-client`: discovery (cached per provider, retried after a
// failure), authorization code flow with PKCE (S256), state and nonce, and ID token validation
// (signature from the provider's JWKS, issuer, audience, expiry with bounded clock skew, nonce).
import * as client from 'openid-client';
import { errors, JWT_CLOCK_TOLERANCE_S, type Logger } from '@strata/shared';
import type { OidcProviderConfig } from './config.ts';
import type { SsoTransaction } from './transaction.ts';

export interface ExternalIdentity {
  subject: string;
  /** candidate usernames in order of preference */
  usernames: string[];
}

export class OidcClient {
  private config: Promise<client.Configuration> | null = null;
  constructor(
    private readonly p: OidcProviderConfig,
    private readonly logger: Logger,
  ) {}

  private discover(): Promise<client.Configuration> {
    if (!this.config) {
      this.config = client
        .discovery(
          new URL(this.p.issuer),
          this.p.clientId,
          { ...(this.p.clientSecret ? { client_secret: this.p.clientSecret } : {}), [client.clockTolerance]: JWT_CLOCK_TOLERANCE_S },
          this.p.clientSecret ? client.ClientSecretPost(this.p.clientSecret) : client.None(),
          { execute: this.p.allowHttp ? [client.allowInsecureRequests] : [], timeout: 10 },
        )
        .catch((err: unknown) => {
          this.config = null; // try again on the next sign-in
          this.logger.warn({ provider: this.p.name, err: (err as Error).message }, 'OIDC discovery failed');
          throw errors.internal(`The identity provider ${this.p.name} is not reachable`);
        });
    }
    return this.config;
  }

  async authorizationUrl(t: SsoTransaction): Promise<string> {
    const config = await this.discover();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: t.redirect_uri,
      scope: this.p.scopes.join(' '),
      state: t.state,
      nonce: t.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(t.verifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  /** Exchanges the code and validates the ID token; UNAUTHENTICATED when anything does not match. */
  async callback(callbackUrl: URL, t: SsoTransaction): Promise<ExternalIdentity> {
    const config = await this.discover();
    let claims: client.IDToken | undefined;
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: t.verifier,
        expectedState: t.state,
        expectedNonce: t.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      accessToken = tokens.access_token;
    } catch (err) {
      const e = err as OAuthFailure;
      this.logger.warn({ provider: this.p.name, code: e.code, error: e.error, claim: claimOf(e), reason: e.message }, 'OIDC sign-in refused');
      throw errors.unauthenticated(`Sign-in with ${this.p.displayName} failed: ${publicReason(e)}`);
    }
    if (!claims?.sub) throw errors.unauthenticated(`Sign-in with ${this.p.displayName} failed: no subject in the ID token`);
    const str = (v: unknown) => (typeof v === 'string' && v ? [v] : []);
    let usernames = [...str(claims.preferred_username), ...str(claims.email), ...str(claims.name)];
    if (!usernames.length) {
      // many providers put profile claims in userinfo only (checked to be about the same subject)
      try {
        const info = await client.fetchUserInfo(config, accessToken, claims.sub);
        usernames = [...str(info.preferred_username), ...str(info.email), ...str(info.name)];
      } catch (err) {
        this.logger.warn({ provider: this.p.name, reason: (err as Error).message }, 'OIDC userinfo unavailable');
      }
    }
    return { subject: claims.sub, usernames };
  }
}

interface OAuthFailure {
  code?: string;
  error?: string;
  message?: string;
  cause?: unknown;
}

/** The JWT claim that failed (oauth4webapi puts it in `cause`, openid-client wraps that error once more). */
function claimOf(e: OAuthFailure): string | undefined {
  let c: unknown = e.cause;
  for (let depth = 0; depth < 3 && c && typeof c === 'object'; depth++) {
    const claim = (c as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A short reason safe to show (never tokens or provider internals). */
function publicReason(e: OAuthFailure): string {
  if (e.error) return `the provider answered ${String(e.error).slice(0, 100)}`;
  const claim = claimOf(e);
  if (e.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') return claim === 'exp' || !claim ? 'ID token expired' : `ID token ${claim} is not valid yet`;
  if (claim === 'aud' || claim === 'azp') return 'ID token audience mismatch';
  if (claim === 'nonce') return 'nonce mismatch';
  if (claim === 'iss') return 'ID token issuer mismatch';
  if (claim === 'state' || /state/i.test(e.message ?? '')) return 'state mismatch';
  if (/signature/i.test(e.message ?? '')) return 'invalid ID token signature';
  return 'the ID token or authorization response is invalid';
}
