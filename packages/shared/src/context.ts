// The request context the gateway resolves once per request (branch, instant, identity) and
// hands to subgraphs as a signed, short-lived, audience-bound token in `x-strata-context`.
// A subgraph refuses any request without a valid one (docs/api.md#paths).
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { errors } from './errors.ts';

export const CONTEXT_HEADER = 'x-strata-context';
/** A Strata service calling the gateway (the REST adapter) proves it with a context signed for audience `gateway`. */
export const SERVICE_HEADER = 'x-strata-service';
const ISSUER = 'strata-gateway';
const DEFAULT_TTL_SECONDS = 60;

export const RoleSchema = z.enum(['admin', 'editor', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

export const PrincipalSchema = z.object({
  /** user id, or `system:<service>` for internal calls */
  id: z.string(),
  username: z.string(),
  roles: z.array(RoleSchema),
  /** how the caller authenticated */
  via: z.enum(['token', 'jwt', 'session', 'system']),
});
export type Principal = z.infer<typeof PrincipalSchema>;

export const BranchMetaSchema = z.object({
  /** ISO instant the branch sees `main` as of (isolated branches) */
  branchedFrom: z.string(),
  isolated: z.boolean(),
});
export type BranchMeta = z.infer<typeof BranchMetaSchema>;

export const RequestContextSchema = z.object({
  branch: z.string().min(1),
  /** resolved by the gateway from the branching subgraph; null on `main` */
  branchMeta: BranchMetaSchema.nullable().default(null),
  /** resolved absolute ISO instant, or null for "now" */
  at: z.string().datetime({ offset: true }).nullable(),
  user: PrincipalSchema.nullable(),
  requestId: z.string(),
});
export type RequestContext = z.infer<typeof RequestContextSchema>;

export function newRequestContext(partial: Partial<RequestContext> = {}): RequestContext {
  return { branch: 'main', branchMeta: null, at: null, user: null, requestId: randomUUID(), ...partial };
}

export function systemPrincipal(service: string): Principal {
  return { id: `system:${service}`, username: service, roles: ['admin'], via: 'system' };
}

export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

function keyFrom(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error('STRATA_CONTEXT_SECRET must be at least 32 characters');
  return new TextEncoder().encode(secret);
}

export interface SignOptions {
  secret: string;
  /** the subgraph (or service) the context is meant for */
  audience: string;
  ttlSeconds?: number;
}

export async function signContext(ctx: RequestContext, opts: SignOptions): Promise<string> {
  return new SignJWT({ ctx })
    .setProtectedHeader({ alg: 'HS256', typ: 'strata-ctx' })
    .setIssuer(ISSUER)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${opts.ttlSeconds ?? DEFAULT_TTL_SECONDS}s`)
    .sign(keyFrom(opts.secret));
}

/**
 * Remembers the ids (`jti`) of the contexts a process accepted until they expire, so a captured
 * `x-strata-context` header cannot be replayed to it. Every signed context is fresh (new jti per
 * subgraph call); only a copy is refused.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;
  constructor(private readonly maxEntries = 1_000_000) {}

  /** false when this jti was already used (or the guard is full, failing closed) */
  accept(jti: string, expSeconds: number, nowMs = Date.now()): boolean {
    if (nowMs >= this.nextSweep || this.seen.size >= this.maxEntries) {
      for (const [k, exp] of this.seen) if (exp * 1000 < nowMs - 10_000) this.seen.delete(k);
      this.nextSweep = nowMs + 5_000;
    }
    if (this.seen.has(jti) || this.seen.size >= this.maxEntries) return false;
    this.seen.set(jti, expSeconds);
    return true;
  }
}

/** Verifies a signed context for `audience`. Throws UNAUTHENTICATED when missing, forged, expired or replayed. */
export async function verifyContext(token: string | undefined | null, opts: { secret: string; audience: string; replay?: ReplayGuard }): Promise<RequestContext> {
  if (!token) throw errors.unauthenticated('Missing gateway context: call Strata through the gateway');
  try {
    const { payload } = await jwtVerify(token, keyFrom(opts.secret), {
      issuer: ISSUER,
      audience: opts.audience,
      algorithms: ['HS256'],
      clockTolerance: 5,
    });
    const parsed = RequestContextSchema.safeParse(payload.ctx);
    if (!parsed.success) throw errors.unauthenticated('Malformed gateway context');
    if (opts.replay) {
      if (typeof payload.jti !== 'string' || typeof payload.exp !== 'number') throw errors.unauthenticated('Malformed gateway context');
      if (!opts.replay.accept(`${opts.audience}\0${payload.jti}`, payload.exp)) throw errors.unauthenticated('Replayed gateway context');
    }
    return parsed.data;
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) throw errors.unauthenticated('Invalid gateway context');
    throw err;
  }
}
