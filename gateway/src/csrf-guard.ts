// CSRF prevention for `/graphql*` (Apollo's rule, adapted so `curl -d` keeps working): a request a
// browser could send cross-site without a CORS preflight — a "simple" request (GET/HEAD, or a
// body typed text/plain, form-urlencoded, multipart or untyped) — is refused when a browser marks
// it as coming from another site (`Sec-Fetch-Site`, or an `Origin` other than this host), unless
// it carries a header only a preflighted request can send (`apollo-require-preflight`,
// `x-apollo-operation-name`). JSON bodies need a preflight, which the gateway never grants
// cross-origin. Non-browser clients send neither `Origin` nor `Sec-Fetch-Site` and pass.
// Cookie sessions additionally need their CSRF token (session-cookies.ts).
import type { NextFunction, Request, Response } from 'express';

const SIMPLE_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'];

export const CSRF_MESSAGE =
  'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): send it with content-type application/json, or add the header apollo-require-preflight: true';

function isSimple(req: Request): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return !type || SIMPLE_TYPES.has(type);
}

function fromAnotherSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (!origin || site === 'same-origin' || site === 'none') return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // "null" origins (sandboxed frames, file://)
  }
}

export function isCsrfSuspect(req: Request): boolean {
  return isSimple(req) && fromAnotherSite(req) && !PREFLIGHT_HEADERS.some((h) => req.headers[h]);
}

export function csrfGuard() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isCsrfSuspect(req)) return next();
    res.status(400).json({ errors: [{ message: CSRF_MESSAGE, extensions: { code: 'BAD_USER_INPUT' } }] });
  };
}
