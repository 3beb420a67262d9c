// GraphiQL served from local npm assets (no CDN): `GET /graphql[/branch]` from a browser.
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Express } from 'express';

const require = createRequire(import.meta.url);
const asset = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

export const PLAYGROUND_ASSETS: Record<string, string> = {
  'react.production.min.js': asset('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': asset('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.min.js': asset('graphiql', 'graphiql.min.js'),
  'graphiql.min.css': asset('graphiql', 'graphiql.min.css'),
};

export function mountPlaygroundAssets(app: Express): void {
  const router = express.Router();
  router.get('/boot.js', (_req, res) => {
    res.type('application/javascript').send(PLAYGROUND_BOOT);
  });
  for (const [name, file] of Object.entries(PLAYGROUND_ASSETS)) {
    router.get(`/${name}`, (_req, res) => {
      res.set('cache-control', 'public, max-age=86400');
      res.sendFile(file, { dotfiles: 'allow' });
    });
  }
  app.use('/_strata/playground', router);
}

export function playgroundHtml(endpoint: string): string {
  const e = endpoint.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Strata GraphQL</title>
<link rel="stylesheet" href="/_strata/playground/graphiql.min.css">
<style>html,body,#graphiql{height:100%;margin:0}</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="/_strata/playground/react.production.min.js"></script>
<script src="/_strata/playground/react-dom.production.min.js"></script>
<script src="/_strata/playground/graphiql.min.js"></script>
<script src="/_strata/playground/boot.js" data-endpoint="${e}"></script>
</body>
</html>`;
}

/** Boot script (a file, so a strict CSP without inline scripts works). */
export const PLAYGROUND_BOOT = `(function () {
  var endpoint = document.currentScript.getAttribute('data-endpoint');
  // browser sessions (login sets cookies): echo the CSRF cookie so cookie-authenticated POSTs pass
  function csrfFetch(input, init) {
    init = init || {};
    var m = document.cookie.match(/(?:^|; )strata_csrf=([^;]*)/);
    if (m) init.headers = Object.assign({}, init.headers, { 'x-csrf-token': decodeURIComponent(m[1]) });
    init.credentials = 'same-origin';
    return window.fetch(input, init);
  }
  var fetcher = GraphiQL.createFetcher({ url: endpoint, headers: { 'content-type': 'application/json' }, fetch: csrfFetch });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();`;

export const PLAYGROUND_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
