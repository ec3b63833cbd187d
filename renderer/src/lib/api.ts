/**
 * The one HTTP client of the portal: every request to a Shoal node goes through here.
 * Failures become `ApiError`s whose message is the server's own words (or a sentence
 * about the network), so pages can show them as they are.
 */
import type { ApiErrorBody, MigrationPlan, MigrationStatus, MigrationTarget, Page, PackageSummary, PackageVersion, StorageConfiguration, StoragePathsPatch, NewScriptTask, NodePatch, QueueConfig, ShoalNode, Task, TaskPage, TaskQuery, User } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message to show for anything a call threw. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

interface ApiOptions {
  /** Where the node is; '' means the origin the portal was served from. */
  baseUrl: string;
  /** Called on any 401 except a failed login: the session is gone. */
  onUnauthorized: () => void;
}

const options: ApiOptions = { baseUrl: '', onUnauthorized: () => {} };

export function configureApi(o: Partial<ApiOptions>): void {
  Object.assign(options, o);
}

export const apiUrl = (path: string): string => options.baseUrl.replace(/\/$/, '') + path;

interface RequestOptions {
  body?: unknown;
  accept?: string;
  /** The caller handles 401 itself (login). */
  own401?: boolean;
  /** A `Range` header (`bytes=A-B`). */
  range?: string;
}

function isErrorBody(x: unknown): x is ApiErrorBody {
  const e = (x as Partial<ApiErrorBody> | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.message === 'string';
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    // not JSON (a proxy's error page, an empty body)
  }
  if (isErrorBody(body)) return new ApiError(res.status, body.error.code, body.error.message);
  const text = res.statusText ? `${res.status} ${res.statusText}` : String(res.status);
  return new ApiError(res.status, 'HttpError', `The server answered ${text}.`);
}

async function send(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
  // X-Shoal-Request: the node refuses changes made with the session cookie without it (CSRF).
  const headers: Record<string, string> = { accept: o.accept ?? 'application/json', 'x-shoal-request': '1' };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (o.range) headers.range = o.range;
  let res: Response;
  const sentAt = Date.now();
  try {
    res = await fetch(apiUrl(path), {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      credentials: 'include',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'NetworkError', 'The Shoal server cannot be reached. Check that the node is running, then try again.');
  }
  observeServerClock(res, sentAt);
  if (!res.ok) {
    const err = await errorFrom(res);
    if (res.status === 401 && !o.own401) options.onUnauthorized();
    throw err;
  }
  return res;
}

async function json<T>(method: string, path: string, o?: RequestOptions): Promise<T> {
  return (await (await send(method, path, o)).json()) as T;
}

/**
 * How far the server's clock is ahead of this machine's, from the Date header of API
 * answers. Relative times ("3 s ago") compare server timestamps with this machine's
 * clock; a laptop a minute off would otherwise show every node as seen a minute ago.
 * The header has whole seconds, so offsets under 2 s are taken as none.
 */
let clockOffsetMs = 0;
export const serverClockOffset = (): number => clockOffsetMs;

function observeServerClock(res: Response, sentAt: number): void {
  const date = Date.parse(res.headers.get('date') ?? '');
  if (Number.isNaN(date)) return;
  const offset = date + 500 - (sentAt + Date.now()) / 2;
  clockOffsetMs = Math.abs(offset) < 2000 ? 0 : Math.round(offset);
}

const enc = encodeURIComponent;

function tasksQuery(q: TaskQuery): string {
  const parts: string[] = [];
  // Commas stay readable; state names never need escaping.
  if (q.states?.length) parts.push(`state=${q.states.join(',')}`);
  if (q.node) parts.push(`node=${enc(q.node)}`);
  if (q.take !== undefined) parts.push(`take=${q.take}`);
  if (q.skip !== undefined) parts.push(`skip=${q.skip}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export const api = {
  login: (username: string, password: string) => json<User>('POST', '/api/users/login', { body: { username, password }, own401: true }),
  logout: async (): Promise<void> => {
    await send('POST', '/api/users/logout', { own401: true });
  },
  me: () => json<User>('GET', '/api/users/me'),

  listNodes: () => json<ShoalNode[]>('GET', '/api/nodes'),
  updateNode: (name: string, patch: NodePatch) => json<ShoalNode>('PATCH', `/api/nodes/${enc(name)}`, { body: patch }),
  /** Only an Offline node can be deleted (409 otherwise). */
  deleteNode: async (name: string): Promise<void> => {
    await send('DELETE', `/api/nodes/${enc(name)}`);
  },

  getQueue: () => json<QueueConfig>('GET', '/api/configuration/queue'),
  setQueue: (config: QueueConfig) => json<QueueConfig>('PUT', '/api/configuration/queue', { body: config }),

  listTasks: (q: TaskQuery = {}) => json<TaskPage>('GET', `/api/tasks${tasksQuery(q)}`),
  getTask: (id: string) => json<Task>('GET', `/api/tasks/${enc(id)}`),
  createTask: (task: NewScriptTask) => json<Task>('POST', '/api/tasks', { body: task }),
  cancelTask: (id: string) => json<Task>('POST', `/api/tasks/${enc(id)}/cancel`),

  /** The whole log as it is now. */
  taskLogText: async (id: string): Promise<string> => (await send('GET', `/api/tasks/${enc(id)}/log`, { accept: 'text/plain' })).text(),
  /** Bytes [from, to] of the log (whole lines are the caller's business): what comes before a trimmed window. */
  taskLogRange: async (id: string, from: number, to: number): Promise<string> =>
    (await send('GET', `/api/tasks/${enc(id)}/log`, { accept: 'text/plain', range: `bytes=${from}-${to}` })).text(),
  /** The log followed live after byte `from`: one `message` per line (its id the offset after it), then `end` with `{"state"}`. */
  followTaskLog: (id: string, from = 0): EventSource =>
    new EventSource(apiUrl(`/api/tasks/${enc(id)}/log${from ? `?from=${from}` : ''}`), { withCredentials: true }),
};

/** The default space: the portal shows only it for now. */
export const SPACE_ID = 'Spaces-1';

export const packagesApi = {
  list: (q: { filter?: string; take?: number; skip?: number } = {}) => {
    const parts = [q.filter ? `filter=${enc(q.filter)}` : '', q.take !== undefined ? `take=${q.take}` : '', q.skip !== undefined ? `skip=${q.skip}` : ''].filter(Boolean);
    return json<Page<PackageSummary>>('GET', `/api/${SPACE_ID}/packages${parts.length ? `?${parts.join('&')}` : ''}`);
  },
  versions: (packageId: string) => json<Page<PackageVersion>>('GET', `/api/${SPACE_ID}/packages/${enc(packageId)}/versions`),
  remove: async (p: PackageVersion): Promise<void> => {
    await send('DELETE', p.links.self);
  },
  downloadUrl: (p: PackageVersion): string => apiUrl(p.links.raw),
  /**
   * Uploads a package file as multipart (part "file"). XMLHttpRequest, because fetch
   * reports no upload progress. `abort()` cancels; the server keeps nothing of it.
   */
  upload(file: File, o: { replace?: boolean; onProgress?: (sent: number, total: number) => void } = {}): { done: Promise<PackageVersion>; abort: () => void } {
    const xhr = new XMLHttpRequest();
    const done = new Promise<PackageVersion>((resolve, reject) => {
      xhr.open('POST', apiUrl(`/api/${SPACE_ID}/packages/raw${o.replace ? '?replace=true' : ''}`));
      xhr.withCredentials = true;
      xhr.setRequestHeader('accept', 'application/json');
      xhr.setRequestHeader('x-shoal-request', '1');
      xhr.upload.onprogress = (e) => o.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'The upload could not reach the Shoal server. Check the connection and try again.'));
      xhr.onabort = () => reject(new ApiError(0, 'Aborted', 'The upload was canceled; nothing was stored.'));
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        if (xhr.status >= 200 && xhr.status < 300) return resolve(body as PackageVersion);
        if (xhr.status === 401) options.onUnauthorized();
        if (isErrorBody(body)) return reject(new ApiError(xhr.status, body.error.code, body.error.message));
        reject(new ApiError(xhr.status, 'HttpError', `The server answered ${xhr.status}${xhr.statusText ? ` ${xhr.statusText}` : ''}.`));
      };
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
    return { done, abort: () => xhr.abort() };
  },
};

export const storageApi = {
  get: () => json<StorageConfiguration>('GET', '/api/configuration/storage'),
  save: (patch: StoragePathsPatch) => json<StorageConfiguration>('PUT', '/api/configuration/storage', { body: patch }),
};

/** "Move to high availability" (admins only): a dry-run plan, then the copy running on the node. */
export const migrationApi = {
  status: () => json<MigrationStatus>('GET', '/api/migration'),
  /** Checks everything and says what would be copied; changes nothing. 409 says which check failed. */
  plan: (target: MigrationTarget) => json<MigrationPlan>('POST', '/api/migration/plan', { body: target }),
  /** 202 once the checks passed and the copy started; poll `status` for its progress. */
  start: (target: MigrationTarget) => json<MigrationStatus>('POST', '/api/migration/start', { body: target }),
};
