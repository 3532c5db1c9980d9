import { readFileSync } from 'node:fs';
import type { Plugin } from 'graphql-yoga';

/** A file a static page is made of: where it is on disk (or its content, made at start), and its media type. */
export type StaticFile = { path: string; type: string } | { body: string; type: string };

/** Options of {@link useStaticFiles}. */
export interface StaticFilesOptions {
  /** Where the page is served (e.g. `/console`): its files are `<path>/<name>`, `''` the page itself. */
  path: string;
  /** Every file of the page by name; nothing else under `path` is served. */
  files: Readonly<Record<string, StaticFile>>;
  /** The page's content security policy, sent with every file. */
  contentSecurityPolicy: string;
}

/**
 * Serves a page whole from this process: its files, read once at start from
 * the source tree and node_modules, so that a closed police network needs no
 * other host. Anything else under the path, and any method but GET and HEAD,
 * is a 404.
 */
export function useStaticFiles({ path, files, contentSecurityPolicy }: StaticFilesOptions): Plugin {
  const contents = new Map(Object.entries(files).map(([name, file]) => [name, { body: 'body' in file ? Buffer.from(file.body) : readFileSync(file.path), type: file.type }]));
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== path && !url.pathname.startsWith(`${path}/`)) return;
      const name = url.pathname.slice(path.length).replace(/^\//, '');
      const file = contents.get(name);
      if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
        return endResponse(new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
      }
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : file.body, {
          status: 200,
          headers: { 'content-type': file.type, 'content-security-policy': contentSecurityPolicy, 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
