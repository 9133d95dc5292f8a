// The browser test's page: the page script bundled for the browser by esbuild at test time,
// served with a small HTML page by a node:http server on 127.0.0.1, so the page has an
// origin of its own (another port than the service's). Always close() it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageServer {
  /** e.g. http://127.0.0.1:41234: what the browser sends as Origin. */
  readonly origin: string;
  close(): Promise<void>;
}

const pageScript = fileURLToPath(new URL('./page-calls.ts', import.meta.url));

const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>videosvc from a browser</title>
<script type="module" src="/page-calls.js"></script></head><body></body></html>`;

/** page-calls.ts and everything it imports (connect-web, the generated VideoService) as one browser ES module. */
export async function bundlePageScript(): Promise<string> {
  const result = await build({
    entryPoints: [pageScript],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Serves the page (/) and the bundled script (/page-calls.js) on 127.0.0.1:0. */
export async function servePage(script: string): Promise<PageServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html);
    } else if (path === '/page-calls.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
