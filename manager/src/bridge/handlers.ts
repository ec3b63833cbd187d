/**
 * The bridge's handlers, one per channel, over the manager core. The host says only what
 * differs between shells: which one it is, and where a connection's API calls go.
 */
import { Value } from '@sinclair/typebox/value';
import { ConnectionError } from '../connections/connection.js';
import { ClusterError } from '../cluster/clusterError.js';
import { EMBEDDED_CONNECTION_ID, type AttachedNode, type ManagerCore } from '../manager.js';
import { NoSecretStoreError } from '../secrets/secrets.js';
import { WrongPassphraseError } from '../secrets/encryptedFileStore.js';
import { MANAGER_VERSION } from '../version.js';
import { BRIDGE_ARGS, type BridgeChannel, type BridgeHandlers } from './contract.js';

export interface BridgeHost {
  kind: 'electron' | 'browser';
  /** Where the portal's API client sends a connection's calls, e.g. /connections/<id>. */
  apiBase(connectionId: string): string;
  /** Starts the embedded node again (after it moved to a shared database); absent where the host runs none. */
  restartEmbedded?: () => Promise<AttachedNode>;
}

export function bridgeHandlers(core: ManagerCore, host: BridgeHost): BridgeHandlers {
  return {
    'app:info': () => ({
      product: 'Shoal manager',
      version: MANAGER_VERSION,
      host: host.kind,
      embeddedConnectionId: core.store.find(EMBEDDED_CONNECTION_ID) ? EMBEDDED_CONNECTION_ID : null,
      embeddedNode: core.embeddedNode,
    }),
    'connections:list': () => core.listConnections(),
    'connections:add': (input) => core.addConnection(input),
    'connections:update': (id, patch) => core.updateConnection(id, patch),
    'connections:remove': async (id) => {
      await core.removeConnection(id);
      return null;
    },
    'connections:test': (target) => core.testConnection(target),
    'connections:pinCertificate': (id, thumbprint) => core.pinCertificate(id, thumbprint),
    'connections:export': () => core.exportConnections(),
    'connections:import': (file) => core.importConnections(file),
    'fleet:list': () => core.watcher.all(),
    'fleet:refresh': (id) => {
      core.store.get(id);
      core.watcher.refresh(id);
      return null;
    },
    'notifications:list': () => core.notifications.list(),
    'notifications:markRead': (ids) => {
      core.notifications.markRead(ids);
      return null;
    },
    'secrets:status': () => core.secrets.status(),
    'secrets:useSessionOnly': () => core.useSessionOnlySecrets(),
    'secrets:useEncryptedFile': (passphrase) => core.useEncryptedFileSecrets(passphrase),
    'api:base': (id) => {
      core.store.get(id);
      return host.apiBase(id);
    },
    'nodes:ping': (id, node) => core.pingNode(id, node),
    'embedded:joinCluster': (target) => {
      if (!host.restartEmbedded) throw new BridgeCallError(409, 'NoEmbeddedNode', 'This manager runs no embedded node (start shoal-manager with --embedded).');
      return core.joinCluster(target, host.restartEmbedded);
    },
  };
}

export class BridgeCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeCallError';
  }
}

export const isBridgeChannel = (c: string): c is BridgeChannel => Object.hasOwn(BRIDGE_ARGS, c);

/**
 * Runs one call from a window: an unknown channel or arguments that do not fit the channel's
 * tuple are refused before any handler runs. Failures become BridgeCallErrors whose message is
 * for the user (never a stack, never a secret).
 */
export async function invokeBridge(handlers: BridgeHandlers, channel: string, args: unknown): Promise<unknown> {
  if (!isBridgeChannel(channel)) throw new BridgeCallError(404, 'UnknownChannel', `There is no bridge call "${channel}".`);
  const schema = BRIDGE_ARGS[channel];
  if (!Value.Check(schema, args)) {
    const first = Value.Errors(schema, args).First();
    throw new BridgeCallError(400, 'BadInput', `${channel}: ${first ? `${first.path || 'arguments'} ${first.message}` : 'bad arguments'}`);
  }
  const handler = handlers[channel] as (...a: unknown[]) => unknown;
  try {
    return await handler(...(args as unknown[]));
  } catch (err) {
    throw toBridgeError(err);
  }
}

/** A call's answer as both transports send it: HTTP with its status, IPC as a plain object. */
export type BridgeReply = { status: 200; body: { result: unknown } } | { status: number; body: { error: { code: string; message: string } } };

export async function answerBridge(handlers: BridgeHandlers, channel: string, args: unknown, onInternalError?: (e: BridgeCallError) => void): Promise<BridgeReply> {
  try {
    return { status: 200, body: { result: (await invokeBridge(handlers, channel, args)) ?? null } };
  } catch (err) {
    const e = err as BridgeCallError;
    if (e.code === 'InternalError') onInternalError?.(e);
    return { status: e.status, body: { error: { code: e.code, message: e.message } } };
  }
}

function toBridgeError(err: unknown): BridgeCallError {
  if (err instanceof BridgeCallError) return err;
  if (err instanceof ConnectionError) return new BridgeCallError(err.code === 'NotFound' ? 404 : err.code === 'Conflict' ? 409 : 400, err.code, err.message);
  if (err instanceof NoSecretStoreError) return new BridgeCallError(409, 'NoSecretStore', err.message);
  if (err instanceof WrongPassphraseError) return new BridgeCallError(400, 'WrongPassphrase', err.message);
  if (err instanceof ClusterError) return new BridgeCallError(502, err.code, err.message);
  return new BridgeCallError(500, 'InternalError', `The manager failed: ${(err as Error).message ?? String(err)}`);
}
