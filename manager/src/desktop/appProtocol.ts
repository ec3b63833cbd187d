/**
 * The desktop app's `app://shoal/` protocol, as plain Node over the Fetch API's Request and
 * Response (Electron's protocol.handle takes exactly this function): the screens (the page and
 * its assets, under the manager's CSP), and each connection's API at `/connections/<id>/api/…`
 * through the proxy, streaming both ways, the key added here in the main process.
 */
import type { ManagerCore } from '../manager.js';
import { MANAGER_CSP, NOT_BUILT, PortalFiles, type PortalFile } from '../portal/portalFiles.js';
import { parseProxyPath } from '../proxy/apiProxy.js';
import { errorResponse, proxyFetchRequest } from '../proxy/fetchProxy.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'shoal';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page of a window: the fleet, or a connection's portal with `?connection=<id>`. */
export const APP_PAGE = `${APP_ORIGIN}/index.html`;

/** A frame or navigation on the app's own origin (IPC calls and navigations from anything else are refused). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

const fileResponse = (file: PortalFile | undefined, missing: string) =>
  file
    ? new Response(new Uint8Array(file.body), {
        headers: { 'content-type': file.type, 'content-security-policy': MANAGER_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
      })
    : new Response(missing, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });

export function appProtocolHandler(core: ManagerCore, files = new PortalFiles()): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (!isAppUrl(request.url)) return errorResponse(404, 'NotFound', 'Not part of the app.');
    const target = parseProxyPath(`${url.pathname}${url.search}`);
    if (target) {
      const client = core.store.find(target.connectionId) ? core.clientOf(target.connectionId) : undefined;
      if (!client) return errorResponse(404, 'NotFound', `There is no connection ${target.connectionId}.`);
      return proxyFetchRequest(client, target.apiPath, request);
    }
    if (request.method !== 'GET') return errorResponse(405, 'MethodNotAllowed', 'The app serves its screens to GET only.');
    if (url.pathname === '/' || url.pathname === '/index.html') return fileResponse(files.page(), NOT_BUILT);
    return fileResponse(files.asset(url.pathname), 'Not found.');
  };
}
