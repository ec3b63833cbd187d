/**
 * The one spelling of a request's path that routing sees: absolute-form request lines
 * (`GET http://host/api/x`) reduced to their path, percent-escapes of unreserved
 * characters decoded (RFC 3986 §6.2.2.2, so `%2e%2e` is seen as `..`), and dot segments
 * removed (§5.2.4). Slashes, case and trailing slashes are the router's job (its options).
 * Access is decided on the matched route whatever the spelling; this makes every
 * equivalent spelling match the same route, so none of them falls through to another.
 */
export function canonicalUrl(url: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = absolute ? url.slice(absolute[0].length) || '/' : url;
  const q = rest.indexOf('?');
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q);
  const path = rawPath.replace(/%([0-9a-f]{2})/gi, (escape, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : escape.toUpperCase();
  });
  return removeDotSegments(path.startsWith('/') ? path : `/${path}`) + query;
}

function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '.' || seg === '..') {
      if (seg === '..' && out.length > 1) out.pop();
      if (last) out.push('');
      return;
    }
    out.push(seg);
  });
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}
