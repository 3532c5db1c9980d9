import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import { pageDocumentSettings } from '../gateway/trustedDocuments.ts';
import { useStaticFiles, type StaticFile } from '../server/useStaticFiles.ts';

/** Where the analysts' joint picture is served. */
export const picturePath = '/picture';

/**
 * The page's policy: scripts, styles and data (the map) from files of this
 * origin only, nothing inline or evaluated, requests to this origin only, no
 * framing, no forms posted anywhere.
 */
export const pictureContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const here = dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);
// The d3 modules' browser builds sit beside their sources; their package exports do not name them.
const distOf = (name: string, file: string) => join(dirname(require.resolve(name)), '..', 'dist', file);
const script = 'text/javascript; charset=utf-8';

/** Every file of the page: nothing else under /picture is served. */
const files: Record<string, StaticFile> = {
  '': { path: join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  'picture.css': { path: join(here, 'picture.css'), type: 'text/css; charset=utf-8' },
  'picture.js': { path: join(here, 'picture.js'), type: script },
  'pictureData.js': { path: join(here, 'pictureData.js'), type: script },
  // The console's CSV writer (formula-safe cells): one implementation for both pages.
  'csv.js': { path: join(here, '..', 'console', 'csv.js'), type: script },
  'd3-array.min.js': { path: distOf('d3-array', 'd3-array.min.js'), type: script },
  'd3-geo.min.js': { path: distOf('d3-geo', 'd3-geo.min.js'), type: script },
  'topojson-client.min.js': { path: join(dirname(require.resolve('topojson-client')), 'topojson-client.min.js'), type: script },
  // Natural Earth's countries at 1:50m, as the world-atlas package ships them (TopoJSON).
  'countries-50m.json': { path: require.resolve('world-atlas/countries-50m.json'), type: 'application/json' },
};

/** Options of {@link usePicture}. */
export interface PictureOptions {
  /** The gateway's trusted documents, when it runs only those: the page then sends its operation by id. Default: none, the operation sent as text. */
  trustedDocuments?: ReadonlyMap<string, string>;
}

/**
 * Serves the analysts' joint picture at /picture, whole from the hub like the
 * auditors' console: static files from this folder and node_modules, the map
 * drawn in the browser from Natural Earth data with d3-geo. The page holds no
 * data of its own: it signs in with the analyst's token and asks /graphql's
 * jointPicture under the purpose RISK_ANALYSIS, so it shows exactly what the
 * agreement releases to the analyst, and each of its reads is logged. On a
 * hub that runs trusted documents only, it sends its one operation by the id
 * of its agreed document (hub.json says which).
 */
export function usePicture(options: PictureOptions = {}): Plugin {
  const hub: StaticFile = { body: pageDocumentSettings(options.trustedDocuments, 'Picture'), type: 'application/json; charset=utf-8' };
  return useStaticFiles({ path: picturePath, files: { ...files, 'hub.json': hub }, contentSecurityPolicy: pictureContentSecurityPolicy });
}
