import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { createApiKey } from '../auth/apiKeys.js';
import { resolveNodeConfig, type NodeConfig } from '../config/nodeConfig.js';
import { startNode, type RunningNode, type StartOptions } from '../node.js';
import { makeTempDir } from './tempDir.js';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

/** Quiet unless SHOAL_TEST_LOG names a pino level. */
export const testLogger = () => pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' });

export interface TestNodeOptions {
  dataDir?: string;
  nodeName?: string;
  taskCap?: number;
  heartbeatMs?: number;
  /** Adjusts the resolved config before the node starts. */
  configure?: (config: NodeConfig) => void;
  extra?: Partial<StartOptions>;
}

export interface TestNode {
  node: RunningNode;
  dataDir: string;
  /** An API key of the administrator. */
  adminKey: string;
  /** `app.inject` as the administrator unless the options carry their own credentials (or `anonymous`). */
  request(opts: InjectOptions & { anonymous?: boolean }): Promise<LightMyRequestResponse>;
  stop(reason?: string): Promise<void>;
}

/** Starts a real node (SQLite file, storage, HTTP on a free port, executor, heartbeat) in a temp dir. */
export async function startTestNode(o: TestNodeOptions = {}): Promise<TestNode> {
  const dataDir = o.dataDir ?? makeTempDir('shoal-node-');
  const config = resolveNodeConfig({ dataDir, port: 0, nodeName: o.nodeName ?? 'test-node', taskCap: o.taskCap ?? 5 }, {});
  o.configure?.(config);
  const node = await startNode({ config, logger: testLogger(), adminPassword: ADMIN_PASSWORD, heartbeatMs: o.heartbeatMs, ...o.extra });
  const admin = await node.shoal.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
  const { key: adminKey } = await createApiKey(node.shoal, Number(admin.id), 'tests');
  return {
    node,
    dataDir,
    adminKey,
    request: ({ anonymous, ...opts }) => {
      const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
      const hasCredentials = Object.keys(headers).some((h) => ['x-api-key', 'authorization', 'cookie'].includes(h.toLowerCase())) || opts.cookies;
      if (!anonymous && !hasCredentials) headers['x-api-key'] = adminKey;
      return node.app.inject({ ...opts, headers });
    },
    stop: (reason) => node.stop(reason),
  };
}

/** A JSON call as the administrator that throws unless the node answered `status` (201 for POST, else 200); returns the parsed body. */
export function jsonApi(tn: TestNode) {
  return async <T = any>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, status = method === 'POST' ? 201 : 200): Promise<T> => {
    const res = await tn.request({ method, url, payload: payload as object });
    if (res.statusCode !== status) throw new Error(`${method} ${url} answered ${res.statusCode}, not ${status}: ${res.body}`);
    return JSON.parse(res.body) as T;
  };
}

/** The native error code of each status, to compare Octopus-shaped errors (which carry none) with native ones. */
const CODE_OF_STATUS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType' };

/**
 * Asserts nothing itself: returns the parsed `{"error":{…}}` body or throws when the shape is off.
 * With `octopus`, the error must be in Octopus's shape (`{ErrorMessage, Errors}`); its code is the status's.
 */
export function errorBody(res: LightMyRequestResponse, o: { octopus?: boolean } = {}): { code: string; message: string } {
  const body = JSON.parse(res.body) as unknown;
  if (o.octopus) {
    const e = body as { ErrorMessage?: unknown; Errors?: unknown };
    if (!e || Object.keys(e).join() !== 'ErrorMessage,Errors' || typeof e.ErrorMessage !== 'string' || !Array.isArray(e.Errors)) {
      throw new Error(`expected {"ErrorMessage","Errors"}, got ${res.body}`);
    }
    return { code: CODE_OF_STATUS[res.statusCode] ?? String(res.statusCode), message: e.ErrorMessage };
  }
  if (!body || typeof body !== 'object' || Object.keys(body).join() !== 'error') {
    throw new Error(`expected {"error":{…}}, got ${res.body}`);
  }
  const error = (body as { error: Record<string, unknown> }).error;
  const keys = Object.keys(error).sort().join();
  if (keys !== 'code,message' || typeof error.code !== 'string' || typeof error.message !== 'string') {
    throw new Error(`expected exactly {code, message} strings, got ${res.body}`);
  }
  if (/\n\s+at |\.ts:\d+|\.js:\d+/.test(error.message)) throw new Error(`error message carries a stack trace: ${error.message}`);
  return error as { code: string; message: string };
}
