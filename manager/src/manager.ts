/**
 * The manager core: saved connections, their keys, a client per cluster, the health watcher
 * and the notification centre, put together. Hosts (Electron's main process, shoal-manager)
 * reach it through the bridge handlers (bridge/handlers.ts) and its events.
 */
import { ConnectionError, type Connection } from './connections/connection.js';
import { ConnectionStore, type ConnectionPatch } from './connections/connectionStore.js';
import { exportConnections, importConnections, type ConnectionsExport, type ImportResult } from './connections/exchange.js';
import { normalizeThumbprint } from './cluster/certificates.js';
import { ClusterClient } from './cluster/clusterClient.js';
import { testConnection, type ConnectionTest } from './cluster/testConnection.js';
import { pingNode, type NodePingCheck } from './cluster/nodePing.js';
import type { BridgeEvent, ConnectionView, EmbeddedNodeInfo } from './bridge/contract.js';
import type { CreatedApiKey, MigrationStatus, ShoalNode } from '@shoal/server-core/contract';
import { HealthWatcher } from './health/healthWatcher.js';
import { NotificationCentre } from './notifications/notificationCentre.js';
import { Secrets, type SecretsStatus } from './secrets/secrets.js';
import { DEFAULT_KEYCHAIN_SERVICE } from '@shoal/server-core/keychain';

export const EMBEDDED_CONNECTION_ID = 'embedded';

export interface ManagerOptions {
  /** The manager's own folder: connections.json, and secrets.enc.json when that fallback is used. */
  dataDir: string;
  keychainService?: string;
  /** `session`: skip the keychain, keep keys in memory (shoal-manager --secrets session). */
  secrets?: 'session';
  health?: { intervalMs?: number; maxBackoffMs?: number };
  notifications?: { repeatWindowMs?: number };
}

export interface NewConnection {
  name: string;
  url: string;
  apiKey?: string;
  folder?: string | null;
  colour?: string | null;
  pinnedCertificate?: string | null;
}

export type TestTarget = { connectionId: string } | { url: string; apiKey: string; pinnedCertificate?: string | null };

/** The embedded node as its host (shoal-manager, the desktop app) started it. */
export interface AttachedNode extends EmbeddedNodeInfo {
  apiKey: string;
}

/** The new cluster's connection, once the embedded node moved to HA: the balancer's URL and a name. */
export interface JoinedCluster {
  name: string;
  url: string;
}

export const DEFAULT_HEALTH_INTERVAL_MS = 5000;
export const DEFAULT_MAX_BACKOFF_MS = 60_000;

export class ManagerCore {
  readonly notifications: NotificationCentre;
  readonly watcher: HealthWatcher;
  readonly #clients = new Map<string, ClusterClient>();
  readonly #listeners = new Set<(e: BridgeEvent) => void>();
  /** The embedded node's key (also kept in a lasting secret store, to be reused at the next start). */
  #embeddedKey: string | undefined;
  #embeddedNode: EmbeddedNodeInfo | null = null;

  readonly keychainService: string;

  private constructor(
    readonly store: ConnectionStore,
    readonly secrets: Secrets,
    o: ManagerOptions,
  ) {
    this.keychainService = o.keychainService ?? DEFAULT_KEYCHAIN_SERVICE;
    this.notifications = new NotificationCentre(o.notifications);
    this.notifications.subscribe((payload) => this.#emit({ event: 'notification', payload }));
    this.watcher = new HealthWatcher({
      intervalMs: o.health?.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
      maxBackoffMs: o.health?.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
      clientFor: (id) => this.clientOf(id),
      onHealth: (payload) => this.#emit({ event: 'fleet:health', payload }),
      onEvents: (events) => events.forEach((e) => this.notifications.add(e)),
    });
    this.secrets.onChange((payload) => this.#emit({ event: 'secrets:changed', payload }));
  }

  /**
   * Where the embedded node's master key may go: the keychain service when the manager's keys
   * are in the OS keychain (null otherwise: the key stays in the node's file), and why not.
   */
  embeddedKeychain(): { service: string | null; problem: string | null } {
    const s = this.secrets.status();
    if (s.store === 'keychain') return { service: this.keychainService, problem: null };
    return { service: null, problem: s.keychain.problem ?? 'the manager keeps its keys elsewhere' };
  }

  static async open(o: ManagerOptions): Promise<ManagerCore> {
    const store = new ConnectionStore(o.dataDir);
    const secrets = await Secrets.open({ dataDir: o.dataDir, keychainService: o.keychainService, initial: o.secrets });
    const core = new ManagerCore(store, secrets, o);
    for (const c of store.list()) if (!c.embedded) core.watcher.watch(c.id, c.name);
    return core;
  }

  subscribe(listener: (e: BridgeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async listConnections(): Promise<ConnectionView[]> {
    return Promise.all(this.store.list().map((c) => this.#view(c)));
  }

  async addConnection(input: NewConnection): Promise<ConnectionView> {
    // Refuse before saving anything when the key has nowhere to go.
    if (input.apiKey !== undefined) this.secrets.assertReady();
    const pin = input.pinnedCertificate ? this.#thumbprint(input.pinnedCertificate) : null;
    const c = this.store.add({ ...input, pinnedCertificate: pin });
    if (input.apiKey !== undefined) await this.secrets.set(c.id, input.apiKey);
    this.watcher.watch(c.id, c.name);
    await this.#connectionsChanged();
    return this.#view(c);
  }

  async updateConnection(id: string, patch: ConnectionPatch & { apiKey?: string }): Promise<ConnectionView> {
    const { apiKey, ...fields } = patch;
    if (this.store.get(id).embedded) throw new ConnectionError('BadInput', 'The embedded node connection is managed by the app itself.');
    if (apiKey !== undefined) this.secrets.assertReady();
    const before = this.store.get(id);
    const c = this.store.update(id, fields);
    if (apiKey !== undefined) await this.secrets.set(id, apiKey);
    // A new address, certificate or key starts the card afresh; a new name, folder or colour does not.
    if (apiKey !== undefined || c.url !== before.url || c.pinnedCertificate !== before.pinnedCertificate) return this.#reconnected(c);
    this.watcher.rename(id, c.name);
    await this.#connectionsChanged();
    return this.#view(c);
  }

  async removeConnection(id: string): Promise<void> {
    const c = this.store.get(id);
    if (c.embedded) throw new ConnectionError('BadInput', 'The embedded node connection is managed by the app itself.');
    this.store.remove(id);
    this.watcher.unwatch(id);
    this.#dropClient(id);
    if (this.secrets.status().store !== null) await this.secrets.delete(id);
    await this.#connectionsChanged();
  }

  /** Pins the certificate the user confirmed (the thumbprint shown by a test). */
  async pinCertificate(id: string, thumbprint: string): Promise<ConnectionView> {
    const c = this.store.update(id, { pinnedCertificate: this.#thumbprint(thumbprint) });
    return this.#reconnected(c);
  }

  async testConnection(target: TestTarget): Promise<ConnectionTest> {
    if ('connectionId' in target) {
      const c = this.store.get(target.connectionId);
      return testConnection(c, await this.keyOf(c.id));
    }
    const pin = target.pinnedCertificate ? this.#thumbprint(target.pinnedCertificate) : null;
    return testConnection({ name: target.url, url: target.url, pinnedCertificate: pin }, target.apiKey);
  }

  exportConnections(): ConnectionsExport {
    return exportConnections(this.store);
  }

  async importConnections(file: unknown): Promise<ImportResult> {
    const result = importConnections(this.store, file);
    for (const c of result.added) this.watcher.watch(c.id, c.name);
    await this.#connectionsChanged();
    return result;
  }

  async useSessionOnlySecrets(): Promise<SecretsStatus> {
    return this.#keysAvailable(await this.secrets.useSessionOnly(this.#accounts()));
  }

  async useEncryptedFileSecrets(passphrase: string): Promise<SecretsStatus> {
    return this.#keysAvailable(await this.secrets.useEncryptedFile(passphrase, this.#accounts()));
  }

  /** Keys may be there now (an encrypted file opened): the screens learn which connections have one, and every connection is checked again at once. */
  async #keysAvailable(status: SecretsStatus): Promise<SecretsStatus> {
    await this.#connectionsChanged();
    for (const id of this.#accounts()) this.watcher.refresh(id);
    return status;
  }

  /** The embedded node's key kept from its last start (undefined where keys last a session only). */
  async keptEmbeddedKey(): Promise<string | undefined> {
    return this.#lastingSecrets() ? this.secrets.get(EMBEDDED_CONNECTION_ID) : undefined;
  }

  get embeddedNode(): EmbeddedNodeInfo | null {
    return this.#embeddedNode;
  }

  /**
   * Adds (or points at its new address) the connection of the standalone node this app runs.
   * A node that runs on a shared database is a node of a cluster, which its own connection
   * (the balancer's) watches: it gets none of its own, so the fleet shows that cluster once.
   */
  async attachEmbeddedNode(node: AttachedNode): Promise<Connection | undefined> {
    const { apiKey, ...info } = node;
    this.#embeddedNode = info;
    this.#embeddedKey = apiKey;
    if (this.#lastingSecrets()) await this.secrets.set(EMBEDDED_CONNECTION_ID, apiKey);
    const existing = this.store.find(EMBEDDED_CONNECTION_ID);
    if (node.shared) {
      if (existing) {
        this.store.remove(EMBEDDED_CONNECTION_ID);
        this.watcher.unwatch(EMBEDDED_CONNECTION_ID);
        this.#dropClient(EMBEDDED_CONNECTION_ID);
        await this.#connectionsChanged();
      }
      return undefined;
    }
    const c = existing
      ? this.store.update(EMBEDDED_CONNECTION_ID, { url: node.url })
      : this.store.add({ name: 'This computer', url: node.url, folder: null }, { id: EMBEDDED_CONNECTION_ID, embedded: true });
    await this.#reconnected(c);
    return c;
  }

  /**
   * Move to HA, last step: once the embedded node's migration has finished, `restart` starts it
   * again (now node 1 of the cluster, on the shared database); the cluster is added as a
   * connection at the balancer's URL, with a key of its own made on the cluster, and the
   * embedded node's own connection gives way to it.
   */
  async joinCluster(target: JoinedCluster, restart: () => Promise<AttachedNode>): Promise<ConnectionView> {
    if (!this.store.find(EMBEDDED_CONNECTION_ID)) throw new ConnectionError('BadInput', 'This app runs no standalone node to move to a cluster.');
    this.secrets.assertReady();
    const status = await this.clientOf(EMBEDDED_CONNECTION_ID)!.json<MigrationStatus>('GET', '/api/migration');
    if (status.state !== 'succeeded') throw new ConnectionError('BadInput', 'The embedded node has not moved to a shared database yet: finish "Move to high availability" first.');
    const node = await restart();
    const onCluster = new ClusterClient({ name: target.name, url: node.url, pinnedCertificate: null }, async () => node.apiKey, { keepAlive: false });
    let created: CreatedApiKey;
    try {
      created = await onCluster.json<CreatedApiKey>('POST', '/api/users/me/apikeys', { body: { name: `Shoal manager: ${target.name}` } });
    } finally {
      onCluster.close();
    }
    const view = await this.addConnection({ name: target.name, url: target.url, apiKey: created.apiKey });
    await this.attachEmbeddedNode(node);
    return view;
  }

  /** The maintenance flow's look at a node's ping, from this machine (see nodePing.ts). */
  async pingNode(connectionId: string, nodeName: string): Promise<NodePingCheck> {
    const client = this.clientOf(connectionId);
    if (!client) throw new ConnectionError('NotFound', `There is no connection ${connectionId}.`);
    return pingNode(await client.json<ShoalNode>('GET', `/api/nodes/${encodeURIComponent(nodeName)}`));
  }

  /** The client of a saved connection (made on first use, remade after an edit). */
  clientOf(id: string): ClusterClient | undefined {
    const existing = this.#clients.get(id);
    if (existing) return existing;
    const c = this.store.find(id);
    if (!c) return undefined;
    const client = new ClusterClient(c, () => this.keyOf(id));
    this.#clients.set(id, client);
    return client;
  }

  async keyOf(id: string): Promise<string | undefined> {
    if (id === EMBEDDED_CONNECTION_ID) return this.#embeddedKey;
    if (this.secrets.status().store === null) return undefined;
    return this.secrets.get(id);
  }

  async close(): Promise<void> {
    await this.watcher.stop();
    for (const id of [...this.#clients.keys()]) this.#dropClient(id);
    this.#listeners.clear();
  }

  async #reconnected(c: Connection): Promise<ConnectionView> {
    this.#dropClient(c.id);
    this.watcher.watch(c.id, c.name);
    await this.#connectionsChanged();
    return this.#view(c);
  }

  #dropClient(id: string): void {
    this.#clients.get(id)?.close();
    this.#clients.delete(id);
  }

  /** Keys outlive this run (keychain, encrypted file), so the embedded node's key is worth keeping. */
  #lastingSecrets(): boolean {
    const store = this.secrets.status().store;
    return store === 'keychain' || store === 'encrypted-file';
  }

  #thumbprint(s: string): string {
    const t = normalizeThumbprint(s);
    if (!t) throw new ConnectionError('BadInput', 'thumbprint: a SHA-256 thumbprint is 64 hexadecimal digits (colons allowed)');
    return t;
  }

  #accounts(): string[] {
    return this.store.list().filter((c) => !c.embedded).map((c) => c.id);
  }

  async #view(c: Connection): Promise<ConnectionView> {
    return { ...c, hasKey: (await this.keyOf(c.id)) !== undefined };
  }

  async #connectionsChanged(): Promise<void> {
    if (this.#listeners.size) this.#emit({ event: 'connections:changed', payload: await this.listConnections() });
  }

  #emit(e: BridgeEvent): void {
    for (const l of this.#listeners) l(e);
  }
}
