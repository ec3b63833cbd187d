export type Auth = { apiKey: string } | { cookie: string };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly res: ApiResponse,
  ) {
    super(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 500)}`);
  }
}

/** Talks to one node's HTTP API with an API key (X-Api-Key) or a login session cookie. */
export class ShoalClient {
  constructor(
    readonly baseUrl: string,
    readonly auth?: Auth,
  ) {}

  /** POST /api/users/login and keep the session cookie. */
  static async login(baseUrl: string, username: string, password: string): Promise<ShoalClient> {
    const res = await fetch(`${baseUrl}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${text}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    if (!cookie) throw new Error('login answered 200 without a session cookie');
    return new ShoalClient(baseUrl, { cookie });
  }

  /** POST /api/users/me/apikeys: a new key acting as this client's user; returns the key. */
  async createApiKey(name: string): Promise<string> {
    return (await this.call<{ apiKey: string }>('POST', '/api/users/me/apikeys', { name }, 201)).apiKey;
  }

  /** The same credentials against another node (clusters share sessions and keys). */
  at(baseUrl: string): ShoalClient {
    return new ShoalClient(baseUrl, this.auth);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.auth && 'apiKey' in this.auth) h['x-api-key'] = this.auth.apiKey;
    // The portal's CSRF header: session-cookie requests that change something must carry it.
    if (this.auth && 'cookie' in this.auth) Object.assign(h, { cookie: this.auth.cookie, 'x-shoal-request': '1' });
    return h;
  }

  /** Any request; never throws on status. Bodies that are JSON are parsed. */
  async request<T = any>(method: string, path: string, o: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<ApiResponse<T>> {
    const headers = this.headers(o.headers);
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: any = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body, text };
  }

  /** A request that must answer `expect` (default 2xx); returns the body. */
  async call<T = any>(method: string, path: string, body?: unknown, expect?: number): Promise<T> {
    const res = await this.request<T>(method, path, { body });
    const ok = expect === undefined ? res.status >= 200 && res.status < 300 : res.status === expect;
    if (!ok) throw new ApiError(method, path, res);
    return res.body;
  }

  get<T = any>(path: string) {
    return this.call<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.call<T>('POST', path, body);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.call<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.call<T>('DELETE', path);
  }
}
