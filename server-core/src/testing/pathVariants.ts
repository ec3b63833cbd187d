/**
 * Other spellings of a request path that a router, a proxy or a client library may treat
 * as the same resource: percent-encoded letters (one, every, lower-case hex), double
 * encoding, an encoded slash, `;` parameters, doubled slashes, `.` and `..` segments
 * (plain and encoded), absolute-form request targets, a trailing slash, other letter case
 * and a backslash. Each comes with what it is, for assertion messages.
 */
export function pathVariants(path: string, origin: string): { what: string; target: string }[] {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  const segments = path.split('/'); // ['', 'api', 'users', …]
  const first = segments[1] ?? '';
  const rest = segments.slice(2).join('/');
  const encodeLetters = (s: string, lower = false) => s.replace(/[A-Za-z]/g, (c) => (lower ? hex(c).toLowerCase() : hex(c)));
  const out: { what: string; target: string }[] = [
    { what: 'first letter encoded', target: `/${hex(first[0] ?? 'a')}${first.slice(1)}/${rest}` },
    { what: 'last letter of the first segment encoded', target: `/${first.slice(0, -1)}${hex(first.at(-1) ?? 'i')}/${rest}` },
    { what: 'every letter encoded', target: encodeLetters(path) },
    { what: 'every letter encoded, lower-case hex', target: encodeLetters(path, true) },
    { what: 'double encoding', target: `/%25${hex(first[0] ?? 'a').slice(1)}${first.slice(1)}/${rest}` },
    { what: 'encoded slash', target: `/${first}%2F${rest}` },
    { what: ';parameter at the end', target: `${path};jsessionid=1` },
    { what: ';parameter after the first segment', target: `/${first};x=1/${rest}` },
    { what: 'leading double slash', target: `/${path}` },
    { what: 'double slash inside', target: `/${first}//${rest}` },
    { what: '/./ inside', target: `/${first}/./${rest}` },
    { what: '/./ first', target: `/.${path}` },
    { what: '/x/../ inside', target: `/${first}/x/../${rest}` },
    { what: 'encoded dot segment', target: `/${first}/%2e/${rest}` },
    { what: 'encoded dot-dot segment', target: `/${first}/x/%2E%2E/${rest}` },
    { what: 'absolute-form request target', target: `${origin}${path}` },
    { what: 'trailing slash', target: `${path}/` },
    { what: 'upper case', target: path.toUpperCase() },
    { what: 'first segment capitalised', target: `/${first.charAt(0).toUpperCase()}${first.slice(1)}/${rest}` },
    { what: 'backslash', target: `/${first}\\${rest}` },
    { what: 'as written', target: path },
  ];
  return out.filter((v, i) => out.findIndex((o) => o.target === v.target) === i);
}
