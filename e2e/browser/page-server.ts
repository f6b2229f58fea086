import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const DIST = {
  client: fileURLToPath(new URL('../../packages/client/dist/', import.meta.url)),
  protocol: fileURLToPath(new URL('../../packages/protocol/dist/', import.meta.url)),
};

/**
 * The page: the built `@duotoken/client` as browser ESM (an import map names
 * `@duotoken/protocol`), exposed as `window.duotoken` once loaded.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>a page on another origin</title>
<script type="importmap">{ "imports": { "@duotoken/protocol": "/sdk/protocol/index.js" } }</script>
<script type="module">
  import * as duotoken from '/sdk/client/index.js';
  window.duotoken = duotoken;
</script>
</head><body><p>app</p></body></html>`;

/** A static web app on its own origin (its own port on 127.0.0.1). */
export interface PageServer {
  /** `http://host:port`, the `Origin` its pages send. */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves the page at `/` and the built SDK under `/sdk/client/` and
 * `/sdk/protocol/` (run `npm run build` first), like a front-end served on
 * :8080 next to an API on :5000.
 */
export function startPageServer(): Promise<PageServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      return;
    }
    const match = /^\/sdk\/(client|protocol)\/([\w./-]+\.js)$/.exec(path);
    if (!match || match[2]!.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(`${DIST[match[1] as keyof typeof DIST]}${match[2]}`).then(
      (body) => res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
