// Subgraph fetches carry the request's context, signed for that subgraph (audience = name).
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Request, Response } from 'express';
import { CONTEXT_HEADER, signContext, type RequestContext } from '@strata/shared';

export interface GatewayContext {
  ctx: RequestContext;
  /** the HTTP exchange (session cookies are set on it) */
  http?: { req: Request; res: Response };
}

export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): Promise<void> {
    if (!context?.ctx) throw new Error('no request context');
    const token = await signContext(context.ctx, { secret: this.secret, audience: this.subgraph });
    request.http?.headers.set(CONTEXT_HEADER, token);
  }
}
