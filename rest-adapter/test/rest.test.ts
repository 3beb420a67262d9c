// Unit-level tests of the REST adapter's mapping, against a fake gateway (the end-to-end test
// through the real gateway lives in test/e2e): /api/info, credential/branch/at forwarding,
// GraphQL error codes -> HTTP statuses, unknown routes, malformed JSON, OpenAPI and docs pages.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { ERROR_CODES, httpStatusFor } from '@strata/shared';
import { start } from '../src/server.ts';
import { apiRoutes, defineRoute } from '../src/routes/index.ts';
import { operation } from '../src/queries/index.ts';
import { startFakeGateway, type FakeGateway } from './fake-gateway.ts';
import { freePort } from '../../test/ports.ts';

const INFO = { deployment_id: '5b7c0d4e-2a57-4c3f-9c2e-6f1d2b3a4c5d', version: '0.1.0' };

// A branch-aware route with a JSON body, standing in for the routes later issues add.
const echoRoute = defineRoute({
  method: 'post',
  path: '/api/test/echo/{thing}',
  operationId: 'testEcho',
  summary: 'test route',
  tags: ['test'],
  branchAware: true,
  pathParams: { thing: { description: 'anything' } },
  body: { kind: 'json', description: 'any JSON', schema: z.object({ n: z.number() }), required: false },
  response: { description: 'echo', schema: z.object({ info: z.unknown(), thing: z.string(), body: z.unknown() }) },
  async handler({ supergraph, params, body }) {
    const data = await supergraph.request<{ info: unknown }>(operation('info'), { x: 1 });
    return { body: { info: data.info, thing: params.thing!, body } };
  },
});

let gw: FakeGateway;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  gw = await startFakeGateway();
  const running = await start({ ...process.env, PORT: '0', GATEWAY_URL: gw.url, STRATA_REST_TIMEOUT_MS: '1000' }, { routes: [...apiRoutes, echoRoute] });
  base = running.url;
  close = running.close;
});
afterAll(async () => {
  await close?.();
  await gw?.close();
});
afterEach(() => {
  gw.requests.length = 0;
  gw.answer(() => ({ body: { data: { info: INFO } } }));
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

describe('GET /api/info', () => {
  it('answers deployment_id and version from the supergraph', async () => {
    gw.answer(() => ({ body: { data: { info: INFO } } }));
    const res = await get('/api/info');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(INFO);
    expect(gw.requests).toHaveLength(1);
    const call = gw.requests[0]!;
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/graphql');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.body?.operationName).toBe('RestInfo');
    expect(call.body?.query).toMatch(/info\s*\{\s*deployment_id\s+version\s*\}/);
  });

  it('does not pass ?branch= or ?at= for a branch-independent route', async () => {
    await get('/api/info?branch=feature-1&at=-1h');
    expect(gw.requests[0]!.path).toBe('/graphql');
    expect(gw.requests[0]!.query.has('at')).toBe(false);
  });

  it('answers 500 without internals when the answer does not match the route schema', async () => {
    gw.answer(() => ({ body: { data: { info: { deployment_id: 'x' } } } }));
    const res = await get('/api/info');
    expect(res).toMatchObject({ status: 500, body: { errors: ['Internal server error'] } });
  });
});

describe('forwarding', () => {
  it('forwards Authorization, X-API-Key and Cookie, and nothing else of the caller', async () => {
    await get('/api/info', {
      authorization: 'Token abc123',
      'x-api-key': 'key-456',
      cookie: 'strata_session=s1; other=2',
      'x-strata-context': 'forged-context',
      'x-custom': 'nope',
    });
    const h = gw.requests[0]!.headers;
    expect(h.authorization).toBe('Token abc123');
    expect(h['x-api-key']).toBe('key-456');
    expect(h.cookie).toBe('strata_session=s1; other=2');
    expect(h['x-strata-context']).toBeUndefined();
    expect(h['x-custom']).toBeUndefined();
  });

  it('sends no credentials when the caller sent none', async () => {
    await get('/api/info');
    const h = gw.requests[0]!.headers;
    expect(h.authorization).toBeUndefined();
    expect(h['x-api-key']).toBeUndefined();
    expect(h.cookie).toBeUndefined();
  });

  it('puts ?branch= in the path and passes ?at= on for branch-aware routes', async () => {
    const res = await fetch(`${base}/api/test/echo/t1?branch=team/net_ops.v2&at=-1h30m`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer jwt-1' },
      body: JSON.stringify({ n: 1 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ info: INFO, thing: 't1', body: { n: 1 } });
    const call = gw.requests[0]!;
    expect(call.path).toBe('/graphql/team/net_ops.v2');
    expect(call.query.get('at')).toBe('-1h30m');
    expect(call.headers.authorization).toBe('Bearer jwt-1');
    expect(call.body?.variables).toEqual({ x: 1 });
  });

  it('keeps absolute instants intact and encodes odd branch names', async () => {
    await fetch(`${base}/api/test/echo/t2?branch=${encodeURIComponent('a b?c')}&at=${encodeURIComponent('2024-01-15T10:30:00+02:00')}`, { method: 'POST' });
    const call = gw.requests[0]!;
    expect(call.path).toBe('/graphql/a%20b%3Fc');
    expect(call.query.get('at')).toBe('2024-01-15T10:30:00+02:00');
  });

  it('uses the default branch without ?branch=', async () => {
    await fetch(`${base}/api/test/echo/t3`, { method: 'POST' });
    expect(gw.requests[0]!.path).toBe('/graphql');
    expect(gw.requests[0]!.query.has('at')).toBe(false);
  });

  it('refuses a repeated ?branch= with 400 before calling the gateway', async () => {
    const res = await fetch(`${base}/api/test/echo/t4?branch=a&branch=b`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: ['Query parameter "branch" may be given only once'] });
    expect(gw.requests).toHaveLength(0);
  });

  it("passes the gateway's Set-Cookie headers back", async () => {
    gw.answer(() => ({ body: { data: { info: INFO } }, headers: { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/; HttpOnly'] } }));
    const res = await fetch(`${base}/api/info`);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  });
});

describe('error mapping', () => {
  for (const code of ERROR_CODES) {
    it(`maps ${code} to HTTP ${httpStatusFor(code)}`, async () => {
      const secret = 'at Object.<anonymous> (/srv/strata/secret.ts:1:1) password=hunter2';
      const message = code === 'INTERNAL_SERVER_ERROR' ? secret : `Detailed ${code} message`;
      gw.answer(() => ({ status: code === 'UNAUTHENTICATED' ? 401 : 200, body: { data: null, errors: [{ message, path: ['info'], extensions: { code } }] } }));
      const res = await get('/api/info');
      expect(res.status).toBe(httpStatusFor(code));
      if (code === 'INTERNAL_SERVER_ERROR') {
        expect(res.body).toEqual({ errors: ['Internal server error'] });
        expect(JSON.stringify(res.body)).not.toContain('hunter2');
      } else {
        expect(res.body).toEqual({ errors: [`Detailed ${code} message`] });
      }
    });
  }

  it('gives the statuses 401, 403, 404, 409, 422 and 400 the contract lists', () => {
    expect(['UNAUTHENTICATED', 'FORBIDDEN', 'BRANCH_NOT_FOUND', 'CONFLICT', 'VALIDATION_ERROR', 'BAD_USER_INPUT'].map(httpStatusFor)).toEqual([401, 403, 404, 409, 422, 400]);
  });

  it('lists every public message, takes the status of the first known code and hides the rest', async () => {
    gw.answer(() => ({
      body: {
        data: null,
        errors: [
          { message: 'weird', extensions: { code: 'SOMETHING_ELSE' } },
          { message: 'Name is required', extensions: { code: 'VALIDATION_ERROR' } },
          { message: 'Slug is taken', extensions: { code: 'UNIQUENESS_VIOLATION' } },
        ],
      },
    }));
    const res = await get('/api/info');
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ errors: ['Internal server error', 'Name is required', 'Slug is taken'] });
  });

  it('answers 500 without details for errors without a Strata code (e.g. a broken operation)', async () => {
    gw.answer(() => ({ status: 400, body: { errors: [{ message: 'Cannot query field "info" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] } }));
    const res = await get('/api/info');
    expect(res).toMatchObject({ status: 500, body: { errors: ['Internal server error'] } });
  });

  it('answers 503 when the gateway answers something that is not GraphQL', async () => {
    gw.answer(() => ({ status: 502, body: '<html>Bad gateway</html>' }));
    const res = await get('/api/info');
    expect(res).toMatchObject({ status: 503, body: { errors: ['The API is temporarily unavailable'] } });
  });

  it('answers 504 when the gateway does not answer in time', async () => {
    gw.answer(() => ({ body: { data: { info: INFO } }, delayMs: 5_000 }));
    const res = await get('/api/info');
    expect(res).toMatchObject({ status: 504, body: { errors: ['The API did not answer in time'] } });
  });

  it('answers 503 when the gateway is down', async () => {
    // a port nobody listens on (freed right away)
    const running = await start({ ...process.env, PORT: '0', GATEWAY_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const res = await fetch(`${running.url}/api/info`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ errors: ['The API is temporarily unavailable'] });
    } finally {
      await running.close();
    }
  });
});

describe('routing', () => {
  it('answers 404 JSON for unknown /api routes without calling the gateway', async () => {
    const res = await get('/api/nope/x?y=1');
    expect(res).toEqual(expect.objectContaining({ status: 404, body: { errors: ['Not found: GET /api/nope/x'] } }));
    expect((await get('/elsewhere')).status).toBe(404);
    expect(gw.requests).toHaveLength(0);
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await fetch(`${base}/api/info`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ errors: ['Method DELETE is not allowed on /api/info'] });
  });

  it('answers 400 for a malformed JSON body without calling the gateway', async () => {
    const res = await fetch(`${base}/api/test/echo/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n": ' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: ['Malformed JSON body'] });
    expect(gw.requests).toHaveLength(0);
  });

  it('has a health endpoint', async () => {
    expect((await get('/health')).body).toEqual({ status: 'ok', service: 'rest-adapter' });
  });
});

describe('OpenAPI and documentation', () => {
  it('serves a valid OpenAPI 3.1 document generated from the route table', async () => {
    const res = await get('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    // the validator dereferences the document it is given in place: hand it a copy
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    // every $ref resolves
    expect(() => validator.resolveRefs()).not.toThrow();

    const info = doc.paths['/api/info'].get;
    expect(info.operationId).toBe('info');
    expect(info.security).toEqual([]);
    expect(info.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Info' });
    expect(doc.components.schemas.Info).toMatchObject({
      type: 'object',
      required: ['deployment_id', 'version'],
      properties: { deployment_id: { type: 'string' }, version: { type: 'string' } },
    });
    expect(info.responses['500']).toEqual({ $ref: '#/components/responses/Error500' });

    const echo = doc.paths['/api/test/echo/{thing}'].post;
    expect(echo.parameters).toEqual([
      expect.objectContaining({ name: 'thing', in: 'path', required: true }),
      { $ref: '#/components/parameters/branch' },
      { $ref: '#/components/parameters/at' },
    ]);
    expect(echo.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TestEchoRequest' });
    expect(echo.responses['404']).toEqual({ $ref: '#/components/responses/Error404' });
  });

  it('serves the production route table as valid OpenAPI too', async () => {
    const running = await start({ ...process.env, PORT: '0', GATEWAY_URL: gw.url });
    try {
      const doc = (await (await fetch(`${running.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect((await new Validator().validate(structuredClone(doc))).valid).toBe(true);
      expect(Object.keys(doc.paths)).toContain('/api/info');
    } finally {
      await running.close();
    }
  });

  it('serves Swagger UI at /api/docs from local assets only', async () => {
    const page = await get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = page.body as string;
    expect(html).not.toMatch(/https?:\/\//);
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs).toEqual(expect.arrayContaining(['/api/docs/assets/swagger-ui.css', '/api/docs/assets/swagger-ui-bundle.js', '/api/docs/init.js']));
    for (const src of srcs) {
      const res = await fetch(`${base}${src}`);
      expect(res.status, src).toBe(200);
      await res.arrayBuffer();
    }
    const init = await get('/api/docs/init.js');
    expect(init.body).toContain('"/api/openapi.json"');
    expect(init.body).toContain('validatorUrl: null');
    // only the whitelisted files of swagger-ui-dist
    expect((await fetch(`${base}/api/docs/assets/swagger-initializer.js`)).status).toBe(404);
    expect((await fetch(`${base}/api/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('serves ReDoc at /api/redoc from local assets only', async () => {
    const page = await get('/api/redoc');
    expect(page.status).toBe(200);
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(page.body).toContain('spec-url="/api/openapi.json"');
    const bundle = await fetch(`${base}/api/redoc/assets/redoc.standalone.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    await bundle.arrayBuffer();
  });
});
