// The client address the REST adapter passes to the gateway (sign-in rate limit, docs/auth.md):
// the address the gateway's `/api` proxy states in its signed `x-strata-client-address` header,
// else the address the adapter saw itself (socket peer; with STRATA_TRUST_PROXY=true the first
// X-Forwarded-For entry). Whatever X-Forwarded-For a caller sends is replaced by that one address
// before any route runs, so a call straight to the adapter's port cannot pick its own address.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { CLIENT_ADDRESS_HEADER, peerAddress, verifyClientAddress } from '@strata/shared';

export interface ClientAddressOptions {
  /** STRATA_CONTEXT_SECRET: checks the gateway's statement; without it only the peer counts */
  secret?: string;
  trustProxy: boolean;
}

/** The client's address for this request (see the header comment). */
export function clientAddressOf(req: IncomingMessage, opts: ClientAddressOptions): string {
  const stated = opts.secret ? verifyClientAddress(opts.secret, req.headers[CLIENT_ADDRESS_HEADER]) : null;
  return stated ?? peerAddress(req, opts.trustProxy);
}

/** Wraps the app: `X-Forwarded-For` becomes the one established address (forwarded to the gateway). */
export function withClientAddress(app: RequestListener, opts: ClientAddressOptions): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    req.headers['x-forwarded-for'] = clientAddressOf(req, opts);
    delete req.headers[CLIENT_ADDRESS_HEADER];
    app(req, res);
  };
}
