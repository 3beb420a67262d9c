// REST error answers (docs/rest.md): `{"errors": ["Detailed error message"]}` with the HTTP
// status of the GraphQL error code (`httpStatusFor`); anything unexpected is a 500 that never
// shows internals (the details go to the log).
import type { Response } from 'express';
import { httpStatusFor, isErrorCode, type Logger } from '@strata/shared';
import { SupergraphError, SupergraphUnavailableError } from './supergraph-client.ts';

export const INTERNAL_MESSAGE = 'Internal server error';

/** An error a route raises on purpose, answered as is. */
export class RestError extends Error {
  readonly messages: string[];
  constructor(
    readonly status: number,
    messages: string | string[],
  ) {
    const list = Array.isArray(messages) ? messages : [messages];
    super(list[0] ?? 'error');
    this.messages = list;
  }
}

export interface RestErrorAnswer {
  status: number;
  messages: string[];
  /** Retry-After of a 429 (seconds) */
  retryAfter?: string;
}

function fromSupergraph(err: SupergraphError, logger: Logger): RestErrorAnswer {
  const codes = err.errors.map((e) => e.extensions?.code);
  const first = codes.find((c) => isErrorCode(c) && c !== 'INTERNAL_SERVER_ERROR');
  const messages = [...new Set(err.errors.map((e, i) => (isErrorCode(codes[i]) && codes[i] !== 'INTERNAL_SERVER_ERROR' ? e.message : INTERNAL_MESSAGE)))];
  if (!first) {
    // the adapter's own operation failed to validate, or the gateway broke: a bug, not the caller's fault
    logger.error({ errors: err.errors, status: err.status }, 'supergraph call failed');
    return { status: 500, messages: [INTERNAL_MESSAGE] };
  }
  // the gateway's sign-in rate limit keeps its status
  const status = err.status === 429 ? 429 : httpStatusFor(first as string);
  return { status, messages: messages.length ? messages : [INTERNAL_MESSAGE], ...(status === 429 && err.retryAfter ? { retryAfter: err.retryAfter } : {}) };
}

/** Maps anything thrown while handling a request to a status and public messages. */
export function restErrorOf(err: unknown, logger: Logger): RestErrorAnswer {
  if (err instanceof RestError) return { status: err.status, messages: err.messages };
  if (err instanceof SupergraphError) return fromSupergraph(err, logger);
  if (err instanceof SupergraphUnavailableError) {
    logger.error({ err }, 'gateway unavailable');
    return err.timeout ? { status: 504, messages: ['The API did not answer in time'] } : { status: 503, messages: ['The API is temporarily unavailable'] };
  }
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return { status: 400, messages: ['Malformed JSON body'] };
  if (type === 'entity.too.large') return { status: 413, messages: ['Request body too large'] };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return { status: 415, messages: ['Unsupported body encoding'] };
  // http-errors raised by Express/send (e.g. a file that vanished) carry a public status
  const httpErr = err as { status?: unknown; expose?: unknown; message?: unknown } | null;
  if (httpErr && httpErr.expose === true && typeof httpErr.status === 'number' && httpErr.status >= 400 && httpErr.status < 500) {
    return { status: httpErr.status, messages: [typeof httpErr.message === 'string' ? httpErr.message : 'Bad request'] };
  }
  logger.error({ err }, 'unexpected error');
  return { status: 500, messages: [INTERNAL_MESSAGE] };
}

export function sendError(res: Response, answer: RestErrorAnswer): void {
  if (res.headersSent) return;
  if (answer.retryAfter) res.setHeader('retry-after', answer.retryAfter);
  res.status(answer.status).json({ errors: answer.messages });
}
