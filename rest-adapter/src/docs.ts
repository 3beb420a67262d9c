// API documentation pages served from local assets only (no CDN, docs/rest.md):
//   /api/docs   Swagger UI (swagger-ui-dist), /api/redoc  ReDoc (redoc's standalone bundle),
// both reading /api/openapi.json. Only the files the pages need are served.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Express, Response } from 'express';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const redocBundle = path.join(path.dirname(require.resolve('redoc/package.json')), 'bundles', 'redoc.standalone.js');

export const OPENAPI_PATH = '/api/openapi.json';
export const SWAGGER_PATH = '/api/docs';
export const REDOC_PATH = '/api/redoc';

const SWAGGER_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png'];

const SWAGGER_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Strata REST API</title>
  <link rel="stylesheet" href="${SWAGGER_PATH}/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="${SWAGGER_PATH}/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${SWAGGER_PATH}/assets/swagger-ui-bundle.js"></script>
  <script src="${SWAGGER_PATH}/assets/swagger-ui-standalone-preset.js"></script>
  <script src="${SWAGGER_PATH}/init.js"></script>
</body>
</html>
`;

// validatorUrl: null keeps Swagger UI from calling its online validator
const SWAGGER_INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  // browser sessions (POST /api/auth/login sets cookies): echo the CSRF cookie on every call
  requestInterceptor: function (req) {
    var m = document.cookie.match(/(?:^|; )strata_csrf=([^;]*)/);
    if (m) req.headers['x-csrf-token'] = decodeURIComponent(m[1]);
    return req;
  },
  layout: 'StandaloneLayout'
});
`;

const REDOC_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Strata REST API</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="${OPENAPI_PATH}"></redoc>
  <script src="${REDOC_PATH}/assets/redoc.standalone.js"></script>
</body>
</html>
`;

// the files live under node_modules/.pnpm: allow the dot directory in their path
const SEND_OPTIONS = { maxAge: '1d', dotfiles: 'allow' as const };

function sendPage(res: Response, type: string, text: string): void {
  res.type(type).set('cache-control', 'no-cache').send(text);
}

export function mountDocs(app: Express, openapi: () => unknown): void {
  app.get(OPENAPI_PATH, (_req, res) => {
    res.json(openapi());
  });
  app.get([SWAGGER_PATH, `${SWAGGER_PATH}/`, `${SWAGGER_PATH}/index.html`], (_req, res) => sendPage(res, 'html', SWAGGER_HTML));
  app.get(`${SWAGGER_PATH}/init.js`, (_req, res) => sendPage(res, 'js', SWAGGER_INIT));
  app.get(`${SWAGGER_PATH}/assets/:file`, (req, res, next) => {
    const file = req.params.file;
    if (!SWAGGER_ASSETS.includes(file)) return next();
    res.sendFile(path.join(swaggerDir, file), SEND_OPTIONS);
  });
  app.get([REDOC_PATH, `${REDOC_PATH}/`], (_req, res) => sendPage(res, 'html', REDOC_HTML));
  app.get(`${REDOC_PATH}/assets/redoc.standalone.js`, (_req, res) => {
    res.sendFile(redocBundle, SEND_OPTIONS);
  });
}
