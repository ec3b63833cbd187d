/**
 * A saved connection to a Shoal cluster (or the embedded node): what the connection file
 * holds. Never its API key: that lives in the secret store under the connection's id.
 */
export interface Connection {
  id: string;
  name: string;
  /** The balancer's (or the single node's) base URL: http(s)://host[:port][/prefix], no trailing slash. */
  url: string;
  /** Optional group the fleet overview sorts connections into. */
  folder: string | null;
  /** Optional `#rrggbb` the card and window are tinted with. */
  colour: string | null;
  /** SHA-256 thumbprint (upper-case hex pairs joined by colons) of a certificate the user confirmed. */
  pinnedCertificate: string | null;
  /** The node this app runs itself; not exported, not editable. */
  embedded: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a user may set on a connection (all but the key, which goes to the secret store). */
export interface ConnectionFields {
  name: string;
  url: string;
  folder?: string | null;
  colour?: string | null;
}

export class ConnectionError extends Error {
  constructor(
    readonly code: 'BadInput' | 'NotFound' | 'Conflict',
    message: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }
}

const bad = (message: string) => new ConnectionError('BadInput', message);

export function normalizeName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n) throw bad('name: give the connection a name');
  if (n.length > 100) throw bad('name: at most 100 characters');
  return n;
}

/**
 * A base URL the manager can call: http or https, no user or password (a secret in the URL
 * would end up in the connection file), no query or fragment. The trailing slash goes.
 */
export function normalizeUrl(url: unknown): string {
  let u: URL;
  try {
    u = new URL(String(url ?? '').trim());
  } catch {
    throw bad(`url: "${String(url ?? '')}" is not a URL (for example https://shoal.example.com)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(`url: must start with http:// or https://, not ${u.protocol}`);
  if (u.username || u.password) throw bad('url: must not contain a user name or password; the API key is entered separately');
  if (u.search || u.hash) throw bad('url: must not have a query (?…) or fragment (#…)');
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

export function normalizeFolder(folder: unknown): string | null {
  if (folder === undefined || folder === null) return null;
  if (typeof folder !== 'string') throw bad('folder: must be text');
  const f = folder.trim();
  if (f.length > 100) throw bad('folder: at most 100 characters');
  return f || null;
}

export function normalizeColour(colour: unknown): string | null {
  if (colour === undefined || colour === null || colour === '') return null;
  if (typeof colour !== 'string' || !/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(colour)) throw bad('colour: must be #rgb or #rrggbb');
  return colour.toLowerCase();
}
