// What clients see of errors (docs/api.md#errors): Strata codes pass through, GraphQL validation and
// parse failures become BAD_USER_INPUT, a subgraph that did not answer is SERVICE_UNAVAILABLE
// naming it (signed-data-source.ts; a raw fetch failure that slips past it is mapped here too),
// anything else is INTERNAL_SERVER_ERROR without details.
import type { GraphQLFormattedError } from 'graphql';
import { isErrorCode, type Logger } from '@strata/shared';
import { isNoAnswer, UNAVAILABLE_CODE, unavailableMessage } from './signed-data-source.ts';

const AS_BAD_INPUT = new Set(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE', 'BAD_REQUEST']);
/** internals: stacks, the subgraph's address and raw answer (`response`), Apollo's own tags */
const DROP = new Set(['stacktrace', 'exception', 'serviceName', 'http', 'response']);

/** The error behind Apollo's wrapping (GraphQLError.originalError chains). */
function rootCause(err: unknown): unknown {
  let e = err;
  for (let i = 0; i < 5 && e && typeof e === 'object' && 'originalError' in e && (e as { originalError?: unknown }).originalError; i++) {
    e = (e as { originalError: unknown }).originalError;
  }
  return e;
}

export function formatGatewayError(logger: Logger) {
  return (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const ext: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(formatted.extensions ?? {})) if (!DROP.has(k)) ext[k] = v;
    if (isErrorCode(code) && code !== 'INTERNAL_SERVER_ERROR') return { ...formatted, extensions: ext };
    if (typeof code === 'string' && AS_BAD_INPUT.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { ...ext, code: 'BAD_USER_INPUT' } };
    }
    if (isNoAnswer(original) || isNoAnswer(rootCause(original))) {
      const service = typeof formatted.extensions?.serviceName === 'string' ? formatted.extensions.serviceName : undefined;
      return {
        message: service ? unavailableMessage(service) : 'A service is unavailable',
        path: formatted.path,
        extensions: { code: UNAVAILABLE_CODE, ...(service ? { service } : {}) },
      };
    }
    logger.error({ err: original, code }, 'unexpected error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
