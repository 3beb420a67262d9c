// Strata's error codes (docs/api.md#errors) and the GraphQLError factory every service uses.
// REST maps the same codes to HTTP statuses with `httpStatusFor`.
import { GraphQLError } from 'graphql';

export const ERROR_CODES = [
  'NODE_NOT_FOUND',
  'BAD_USER_INPUT',
  'VALIDATION_ERROR',
  'UNIQUENESS_VIOLATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BRANCH_NOT_FOUND',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  'QUERY_TOO_COMPLEX',
  'TIMEOUT',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const HTTP_STATUS: Record<ErrorCode, number> = {
  NODE_NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  VALIDATION_ERROR: 422,
  UNIQUENESS_VIOLATION: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BRANCH_NOT_FOUND: 404,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503,
  QUERY_TOO_COMPLEX: 400,
  TIMEOUT: 504,
  INTERNAL_SERVER_ERROR: 500,
};

export function httpStatusFor(code: string | undefined): number {
  return (code && HTTP_STATUS[code as ErrorCode]) || 500;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** A GraphQL error carrying one of Strata's codes; `details` lands in extensions. */
export class StrataError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
    this.code = code;
  }
}

export const errors = {
  notFound: (message = 'Node not found', details?: Record<string, unknown>) => new StrataError('NODE_NOT_FOUND', message, details),
  badInput: (message: string, details?: Record<string, unknown>) => new StrataError('BAD_USER_INPUT', message, details),
  validation: (message: string, details?: Record<string, unknown>) => new StrataError('VALIDATION_ERROR', message, details),
  uniqueness: (message: string, details?: Record<string, unknown>) => new StrataError('UNIQUENESS_VIOLATION', message, details),
  unauthenticated: (message = 'Authentication required', details?: Record<string, unknown>) => new StrataError('UNAUTHENTICATED', message, details),
  forbidden: (message = 'Forbidden', details?: Record<string, unknown>) => new StrataError('FORBIDDEN', message, details),
  branchNotFound: (branch: string) => new StrataError('BRANCH_NOT_FOUND', `Branch not found: ${branch}`, { branch }),
  conflict: (message: string, details?: Record<string, unknown>) => new StrataError('CONFLICT', message, details),
  /** a subgraph (or another service a request needs) is down; `service` names it */
  unavailable: (message: string, details?: Record<string, unknown>) => new StrataError('SERVICE_UNAVAILABLE', message, details),
  /** refused before execution: size, depth, aliases or estimated cost over a limit */
  tooComplex: (message: string, details?: Record<string, unknown>) => new StrataError('QUERY_TOO_COMPLEX', message, details),
  /** the request's database time limit (STRATA_STATEMENT_TIMEOUT) ran out */
  timeout: (message: string, details?: Record<string, unknown>) => new StrataError('TIMEOUT', message, details),
  internal: (message = 'Internal server error') => new StrataError('INTERNAL_SERVER_ERROR', message),
};
