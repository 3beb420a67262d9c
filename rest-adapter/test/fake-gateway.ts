// A tiny HTTP server standing in for the gateway in the adapter's unit tests: records every
// request (path, query, headers, GraphQL body) and answers what the test scripted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: { query?: string; operationName?: string; variables?: Record<string, unknown> } | null;
}

export interface ScriptedAnswer {
  status?: number;
  /** JSON body, or a raw string */
  body: unknown;
  headers?: Record<string, string | string[]>;
  /** wait before answering (timeouts) */
  delayMs?: number;
}

export interface FakeGateway {
  url: string;
  requests: RecordedRequest[];
  /** sets the answer for the next requests */
  answer(fn: (req: RecordedRequest) => ScriptedAnswer): void;
  close(): Promise<void>;
}

export async function startFakeGateway(): Promise<FakeGateway> {
  const requests: RecordedRequest[] = [];
  let script: (req: RecordedRequest) => ScriptedAnswer = () => ({ body: { data: null } });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      let body: RecordedRequest['body'] = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'];
      } catch {
        body = null;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body };
      requests.push(recorded);
      const a = script(recorded);
      const send = () => {
        if (res.destroyed) return;
        for (const [k, v] of Object.entries(a.headers ?? {})) res.setHeader(k, v);
        const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
        if (!res.hasHeader('content-type')) res.setHeader('content-type', typeof a.body === 'string' ? 'text/html' : 'application/json');
        res.statusCode = a.status ?? 200;
        res.end(text);
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(fn) {
      script = fn;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
