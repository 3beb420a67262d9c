// Reports how many SQL statements a request ran in `extensions.strata.sql_statements` of the
// subgraph response (the gateway drops it; tests and `pnpm bench` read it directly).
import type { ApolloServerPlugin } from '@apollo/server';
import type { SubgraphContext } from '@strata/shared';
import { peekRequestState } from './request-state.ts';

export function statementCountPlugin(): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const n = peekRequestState(contextValue)?.statements ?? 0;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, strata: { sql_statements: n } };
        },
      };
    },
  };
}
