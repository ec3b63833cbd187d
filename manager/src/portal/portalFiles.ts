/**
 * The screens (the renderer's built files) as the manager serves them: shoal-manager over HTTP,
 * the desktop app over its app:// protocol. The page is the portal's index.html with one mark
 * added, `<meta name="shoal-host" content="manager">`, by which the renderer knows it runs in the
 * manager (fleet, connections, notifications; a cluster's portal through the manager's proxy)
 * and not served by a node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The renderer's build in this repository (manager/dist/portal → renderer/dist). */
export const DEFAULT_PORTAL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../renderer/dist');

export const MANAGER_MARK = '<meta name="shoal-host" content="manager">';

/** Nothing from elsewhere, no inline script; Svelte sets some element styles through style attributes. */
export const MANAGER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

export interface PortalFile {
  body: Buffer;
  type: string;
}

export class PortalFiles {
  constructor(readonly dir = DEFAULT_PORTAL_DIR) {}

  get built(): boolean {
    return fs.existsSync(path.join(this.dir, 'index.html'));
  }

  /** The page (with the manager's mark), read on each call so a rebuilt renderer is served without a restart. */
  page(): PortalFile | undefined {
    if (!this.built) return undefined;
    const html = fs.readFileSync(path.join(this.dir, 'index.html'), 'utf8').replace('<head>', `<head>\n    ${MANAGER_MARK}`);
    return { body: Buffer.from(html), type: TYPES['.html']! };
  }

  /** A built asset by its URL path (`/assets/index-abc.js`); undefined for anything else, or outside the folder. */
  asset(urlPath: string): PortalFile | undefined {
    const m = /^\/assets\/([A-Za-z0-9._-]+)$/.exec(urlPath);
    if (!m || m[1]!.startsWith('.')) return undefined;
    const file = path.join(this.dir, 'assets', m[1]!);
    const type = TYPES[path.extname(file)];
    if (!type || !fs.existsSync(file)) return undefined;
    return { body: fs.readFileSync(file), type };
  }
}

export const NOT_BUILT = 'The Shoal screens are not built here: run `npm run build` in the repository, then reload.';
