// GraphiQL served from local npm assets (no CDN): `GET /graphql[/branch][?at=]` from a browser.
// The page shows the branch and the instant it reads, and sends the page's `?at=` with every query.
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

const escapeHtml = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface PlaygroundOptions {
  /** the page's `?at=` (time travel): every query the page sends carries it */
  at?: string;
}

/** The branch a GraphQL path addresses (`/graphql`, `/graphql/v2/feature-1/` -> `feature-1`). */
export function branchOfPath(endpoint: string): string {
  const rest = endpoint
    .replace(/^\/graphql/, '')
    .replace(/^\/v[12](?=\/|$)/, '')
    .replace(/^\/+|\/+$/g, '');
  try {
    return rest ? decodeURIComponent(rest) : 'main';
  } catch {
    return rest;
  }
}

export function playgroundHtml(endpoint: string, opts: PlaygroundOptions = {}): string {
  const at = opts.at?.trim() || undefined;
  const target = at ? `${endpoint}?at=${encodeURIComponent(at)}` : endpoint;
  const branch = branchOfPath(endpoint);
  const when = at ? `as of ${at} (time travel: read-only)` : 'now (live data)';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Strata GraphQL · ${escapeHtml(branch)}${at ? ` · ${escapeHtml(at)}` : ''}</title>
<link rel="stylesheet" href="/_strata/playground/graphiql.min.css">
<style>html,body{height:100%;margin:0}body{display:flex;flex-direction:column}#strata-scope{font:13px system-ui,sans-serif;padding:6px 12px;background:${at ? '#fff3cd' : '#eef2f7'};border-bottom:1px solid #ccd}#graphiql{flex:1;min-height:0}</style>
</head>
<body>
<div id="strata-scope">Branch <strong data-branch>${escapeHtml(branch)}</strong> · <span data-at>${escapeHtml(when)}</span></div>
<div id="graphiql">Loading…</div>
<script src="/_strata/playground/react.production.min.js"></script>
<script src="/_strata/playground/react-dom.production.min.js"></script>
<script src="/_strata/playground/graphiql.min.js"></script>
<script src="/_strata/playground/boot.js" data-endpoint="${escapeHtml(target)}"></script>
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
    // headers pasted into the editor (e.g. Authorization) survive a reload (kept in localStorage)
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: true })
  );
})();`;

export const PLAYGROUND_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
