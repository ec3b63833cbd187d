/**
 * The one HTTP client of the portal: every request to a Shoal node goes through here, by
 * the endpoints of the API contract (their paths, and the types of what they take and
 * answer). Failures become `ApiError`s whose message is the server's own words (or a
 * sentence about the network), so pages can show them as they are.
 */
import {
  configurationEndpoints,
  endpointUrl,
  migrationEndpoints,
  nodeEndpoints,
  packageEndpoints,
  taskEndpoints,
  teamEndpoints,
  userEndpoints,
  type Endpoint,
  type EndpointInput,
  type EndpointResult,
  type MigrationTarget,
  type NewApiKey,
  type NewTask,
  type NewUser,
  type NodePatch,
  type PackageVersion,
  type QueueConfig,
  type StoragePathsPatch,
  type TaskState,
  type TeamBody,
  type UserPatch,
} from '@shoal/server-core/contract';

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

/** Every request carries it: the node refuses changes made with the session cookie without it (CSRF). */
const CSRF = { 'x-shoal-request': '1' };

function isErrorBody(x: unknown): x is { error: { code: string; message: string } } {
  const e = (x as { error?: unknown } | null)?.error as { message?: unknown } | undefined;
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

interface SendOptions {
  accept?: string;
  /** The caller handles 401 itself (login). */
  own401?: boolean;
  /** A `Range` header (`bytes=A-B`). */
  range?: string;
}

/** Calls one endpoint of the contract; resolves with the Response once it answered 2xx. */
async function send<E extends Endpoint>(e: E, input: EndpointInput<E>, o: SendOptions = {}): Promise<Response> {
  const { params, query, body } = input as { params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };
  const headers: Record<string, string> = { accept: o.accept ?? 'application/json', ...CSRF };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (o.range) headers.range = o.range;
  let res: Response;
  const sentAt = Date.now();
  try {
    res = await fetch(apiUrl(endpointUrl(e, params, query)), {
      method: e.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
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

/** Calls an endpoint and returns what it answers, typed by the contract. */
export async function call<E extends Endpoint>(e: E, input: EndpointInput<E>, o?: SendOptions): Promise<EndpointResult<E>> {
  const res = await send(e, input, o);
  return (res.status === 204 ? null : await res.json()) as EndpointResult<E>;
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

/** The task list's filter, as the portal holds it. */
export interface TaskFilter {
  states?: readonly TaskState[];
  node?: string | null;
  take?: number;
  skip?: number;
}

const t = taskEndpoints;
const n = nodeEndpoints;
const u = userEndpoints;

export const api = {
  login: (username: string, password: string) => call(u.login, { body: { username, password } }, { own401: true }),
  logout: async (): Promise<void> => {
    await send(u.logout, {}, { own401: true });
  },
  me: () => call(u.me, {}),

  listNodes: () => call(n.listNodes, {}),
  getNode: (name: string) => call(n.getNode, { params: { name } }),
  /** The tasks a node is running now. */
  nodeTasks: (name: string) => call(n.nodeTasks, { params: { name } }),
  updateNode: (name: string, patch: NodePatch) => call(n.updateNode, { params: { name }, body: patch }),
  /** Only an Offline node can be deleted (409 otherwise). */
  deleteNode: async (name: string): Promise<void> => {
    await send(n.deleteNode, { params: { name } });
  },

  getQueue: () => call(configurationEndpoints.getQueue, {}),
  setQueue: (config: QueueConfig) => call(configurationEndpoints.setQueue, { body: config }),

  listTasks: (q: TaskFilter = {}) =>
    call(t.listTasks, { query: { state: q.states?.length ? q.states.join(',') : undefined, node: q.node ?? undefined, take: q.take, skip: q.skip } }),
  getTask: (id: string) => call(t.getTask, { params: { id } }),
  createTask: (task: NewTask) => call(t.createTask, { body: task }),
  cancelTask: (id: string) => call(t.cancelTask, { params: { id } }),

  /** The whole log as it is now. */
  taskLogText: async (id: string): Promise<string> => (await send(t.taskLog, { params: { id } }, { accept: 'text/plain' })).text(),
  /** Bytes [from, to] of the log (whole lines are the caller's business): what comes before a trimmed window. */
  taskLogRange: async (id: string, from: number, to: number): Promise<string> =>
    (await send(t.taskLog, { params: { id } }, { accept: 'text/plain', range: `bytes=${from}-${to}` })).text(),
  /** The log followed live after byte `from`: one `message` per line (its id the offset after it), then `end` with `{"state"}`. */
  followTaskLog: (id: string, from = 0): EventSource =>
    new EventSource(apiUrl(endpointUrl(t.taskLog, { id }, { from: from ? String(from) : undefined })), { withCredentials: true }),
};

/** The default space: the portal shows only it for now. */
export const SPACE_ID = 'Spaces-1';

const p = packageEndpoints;

export const packagesApi = {
  list: (q: { filter?: string; take?: number; skip?: number } = {}) => call(p.list, { params: { spaceId: SPACE_ID }, query: q }),
  versions: (packageId: string) => call(p.versions, { params: { spaceId: SPACE_ID, packageId } }),
  remove: async (v: PackageVersion): Promise<void> => {
    await send(p.remove, { params: { spaceId: v.spaceId, packageId: v.packageId, version: v.version } });
  },
  downloadUrl: (v: PackageVersion): string => apiUrl(endpointUrl(p.download, { spaceId: v.spaceId, packageId: v.packageId, version: v.version })),
  /**
   * Uploads a package file as multipart (part "file"). XMLHttpRequest, because fetch
   * reports no upload progress. `abort()` cancels; the server keeps nothing of it.
   */
  upload(file: File, o: { replace?: boolean; onProgress?: (sent: number, total: number) => void } = {}): { done: Promise<PackageVersion>; abort: () => void } {
    const xhr = new XMLHttpRequest();
    const done = new Promise<PackageVersion>((resolve, reject) => {
      xhr.open('POST', apiUrl(endpointUrl(p.upload, { spaceId: SPACE_ID }, { replace: o.replace ? 'true' : undefined })));
      xhr.withCredentials = true;
      xhr.setRequestHeader('accept', 'application/json');
      for (const [k, v] of Object.entries(CSRF)) xhr.setRequestHeader(k, v);
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
  get: () => call(configurationEndpoints.getStorage, {}),
  save: (patch: StoragePathsPatch) => call(configurationEndpoints.setStorage, { body: patch }),
};

/** "Move to high availability" (admins only): a dry-run plan, then the copy running on the node. */
export const migrationApi = {
  status: () => call(migrationEndpoints.status, {}),
  /** Checks everything and says what would be copied; changes nothing. 409 says which check failed. */
  plan: (target: MigrationTarget) => call(migrationEndpoints.plan, { body: target }),
  /** 202 once the checks passed and the copy started; poll `status` for its progress. */
  start: (target: MigrationTarget) => call(migrationEndpoints.start, { body: target }),
};

/** Users, teams, API keys and sessions (administrators), and your own password and keys. */
export const usersApi = {
  list: () => call(u.listUsers, {}),
  create: (user: NewUser) => call(u.createUser, { body: user }),
  update: (id: string, patch: UserPatch) => call(u.updateUser, { params: { id }, body: patch }),
  remove: (id: string) => call(u.deleteUser, { params: { id } }),
  resetPassword: (id: string, newPassword: string) => call(u.resetPassword, { params: { id }, body: { newPassword } }),
  keys: (id: string) => call(u.listUserKeys, { params: { id } }),
  revokeKey: (id: string, keyId: string) => call(u.revokeUserKey, { params: { id, keyId } }),
  sessions: (id: string) => call(u.listUserSessions, { params: { id } }),
  endSessions: (id: string) => call(u.endUserSessions, { params: { id } }),
  endSession: (id: string, sessionId: string) => call(u.endUserSession, { params: { id, sessionId } }),
  changeOwnPassword: (currentPassword: string, newPassword: string) => call(u.changeOwnPassword, { body: { currentPassword, newPassword } }),
  ownKeys: () => call(u.listOwnKeys, {}),
  createOwnKey: (key: NewApiKey) => call(u.createOwnKey, { body: key }),
  revokeOwnKey: (id: string) => call(u.revokeOwnKey, { params: { id } }),
  teams: () => call(teamEndpoints.listTeams, {}),
  createTeam: (team: TeamBody) => call(teamEndpoints.createTeam, { body: team }),
  updateTeam: (id: string, team: TeamBody) => call(teamEndpoints.updateTeam, { params: { id }, body: team }),
  removeTeam: (id: string) => call(teamEndpoints.deleteTeam, { params: { id } }),
};
