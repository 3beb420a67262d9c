// What clients see of errors (CONTRACT §9): Strata codes pass through, GraphQL validation and
// parse failures become BAD_USER_INPUT, anything else is INTERNAL_SERVER_ERROR without details.
import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode, type Logger } from '@strata/shared';

const AS_BAD_INPUT = new Set(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST']);
const DROP = new Set(['stacktrace', 'exception', 'serviceName', 'http']);

export function formatGatewayError(logger: Logger) {
  return (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const ext: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(formatted.extensions ?? {})) if (!DROP.has(k)) ext[k] = v;
    if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') return { ...formatted, extensions: ext };
    if (typeof code === 'string' && AS_BAD_INPUT.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { ...ext, code: 'BAD_USER_INPUT' } };
    }
    logger.error({ err: original, code }, 'unexpected error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
