import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { pageDocumentSettings } from '../gateway/trustedDocuments.ts';
import { useStaticFiles, type StaticFile } from '../server/useStaticFiles.ts';

/** Where the auditors' console is served. */
export const consolePath = '/console';

/**
 * The console's own policy, stricter than GraphiQL's: scripts and styles from
 * files of this origin only (nothing inline, nothing evaluated), requests to
 * this origin only, no framing, no forms posted anywhere.
 */
export const consoleContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const here = dirname(new URL(import.meta.url).pathname);
// Chart.js's self-contained build (its one dependency bundled in), from the installed package.
const chartJs = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

const script = (name: string): StaticFile => ({ path: join(here, name), type: 'text/javascript; charset=utf-8' });

/** Every file the console is made of: nothing else under /console is served. */
const files: Record<string, StaticFile> = {
  '': { path: join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  'console.css': { path: join(here, 'console.css'), type: 'text/css; charset=utf-8' },
  ...Object.fromEntries(['console.js', 'consoleApi.js', 'consoleDocuments.js', 'chainsView.js', 'activityView.js', 'csv.js'].map((name) => [name, script(name)])),
  'chart.umd.min.js': { path: chartJs, type: 'text/javascript; charset=utf-8' },
};

/** Options of {@link useConsole}. */
export interface ConsoleOptions {
  /** The gateway's trusted documents, when it runs only those: the console then sends its operations by id. Default: none, operations sent as text. */
  trustedDocuments?: ReadonlyMap<string, string>;
}

/**
 * Serves the auditors' console at /console: static files read once, from
 * this folder and from node_modules, so a closed police network needs no
 * other host. The console holds no data and no back door: it signs in with
 * the auditor's token and calls /graphql like any client, so every read is
 * in the consultation log and it shows exactly what the API allows.
 */
export function useConsole(options: ConsoleOptions = {}): Plugin {
  const hub: StaticFile = { body: pageDocumentSettings(options.trustedDocuments, 'Console'), type: 'application/json; charset=utf-8' };
  return useStaticFiles({ path: consolePath, files: { ...files, 'hub.json': hub }, contentSecurityPolicy: consoleContentSecurityPolicy });
}
