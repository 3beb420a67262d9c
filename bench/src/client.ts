// A minimal GraphQL-over-HTTP client for scripts (seed, bench): POST to /graphql[/branch]
// with an API token; throws on GraphQL errors.
export interface ScriptClientOptions {
  url: string;
  token: string;
  branch?: string;
}

export class GraphQLRequestError extends Error {
  constructor(readonly errors: { message: string; extensions?: Record<string, unknown> }[]) {
    super(errors.map((e) => `${e.message} (${String(e.extensions?.code ?? '')})`).join('; '));
  }
}

export function scriptClient(opts: ScriptClientOptions) {
  const endpoint = new URL(opts.branch ? `/graphql/${opts.branch}` : '/graphql', opts.url).toString();
  return async function request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Token ${opts.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    if (body.errors?.length) throw new GraphQLRequestError(body.errors);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return body.data as T;
  };
}
