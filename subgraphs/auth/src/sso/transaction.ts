// The OAuth2/OIDC transaction between `authorize` and the provider's callback: state, nonce,
// PKCE code verifier, the redirect URI and where to send the browser afterwards. It is kept by
// the browser (HttpOnly cookie set by the REST adapter) as a JWE (dir + A256GCM): nobody can read
// the verifier or forge a transaction, it expires after 10 minutes and binds the callback to the
// browser that started the sign-in (login CSRF).
import { createHash } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { z } from 'zod';
import { errors } from '@strata/shared';

const AUDIENCE = 'strata-sso';
export const TRANSACTION_TTL_SECONDS = 600;

export const TransactionSchema = z.object({
  protocol: z.enum(['oauth2', 'oidc']),
  provider: z.string(),
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  redirect_uri: z.string(),
  redirect_to: z.string().nullable(),
});
export type SsoTransaction = z.infer<typeof TransactionSchema>;

export class TransactionCodec {
  private readonly key: Uint8Array;
  constructor(secret: string) {
    this.key = createHash('sha256').update(`strata-sso-transaction:${secret}`).digest();
  }

  async seal(t: SsoTransaction): Promise<string> {
    return new EncryptJWT({ t })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${TRANSACTION_TTL_SECONDS}s`)
      .encrypt(this.key);
  }

  /** Throws UNAUTHENTICATED for an expired, tampered or foreign transaction. */
  async open(sealed: string): Promise<SsoTransaction> {
    try {
      const { payload } = await jwtDecrypt(sealed, this.key, { audience: AUDIENCE, clockTolerance: 5 });
      return TransactionSchema.parse(payload.t);
    } catch {
      throw errors.unauthenticated('The sign-in expired or was not started in this browser: start again');
    }
  }
}
