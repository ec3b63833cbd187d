import type { AppInfo, ClusterHealth, ConnectionView, SecretsStatus } from '@shoal/manager/bridge';
import { messageOf } from '../api';
import type { ShoalBridge } from './bridge';

export interface FleetCard {
  connection: ConnectionView;
  /** null until the manager watches it (the embedded node of a cluster, a connection just added). */
  health: ClusterHealth | null;
}

/**
 * The manager's view of the fleet, kept live by the bridge's events: the saved connections, the
 * health card of each (at most one check per cluster per interval, made by the manager, however
 * many windows show it), where keys are kept, and what this app is.
 */
export class Fleet {
  #connections = $state.raw<ConnectionView[]>([]);
  #health = $state.raw<Record<string, ClusterHealth>>({});
  #secrets = $state.raw<SecretsStatus | null>(null);
  #info = $state.raw<AppInfo | null>(null);
  #loaded = $state(false);
  #error = $state<string | null>(null);

  constructor(readonly bridge: ShoalBridge) {}

  get connections(): ConnectionView[] {
    return this.#connections;
  }
  get secrets(): SecretsStatus | null {
    return this.#secrets;
  }
  get info(): AppInfo | null {
    return this.#info;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }

  connection(id: string): ConnectionView | undefined {
    return this.#connections.find((c) => c.id === id);
  }

  health(id: string): ClusterHealth | null {
    return this.#health[id] ?? null;
  }

  /** Cards in their folders (no folder first), by name. */
  get folders(): { folder: string | null; cards: FleetCard[] }[] {
    const byFolder = new Map<string | null, FleetCard[]>();
    const sorted = [...this.#connections].sort((a, b) => a.name.localeCompare(b.name));
    for (const c of sorted) {
      const list = byFolder.get(c.folder) ?? [];
      list.push({ connection: c, health: this.health(c.id) });
      byFolder.set(c.folder, list);
    }
    return [...byFolder.entries()]
      .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a.localeCompare(b)))
      .map(([folder, cards]) => ({ folder, cards }));
  }

  /** Loads everything once and follows the manager's events from then on. */
  async start(): Promise<void> {
    this.bridge.on('fleet:health', (h) => (this.#health = { ...this.#health, [h.connectionId]: h }));
    this.bridge.on('connections:changed', (list) => (this.#connections = list));
    this.bridge.on('secrets:changed', (s) => (this.#secrets = s));
    await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const [connections, health, secrets, info] = await Promise.all([
        this.bridge.invoke('connections:list'),
        this.bridge.invoke('fleet:list'),
        this.bridge.invoke('secrets:status'),
        this.bridge.invoke('app:info'),
      ]);
      this.#connections = connections;
      this.#health = Object.fromEntries(health.map((h) => [h.connectionId, h]));
      this.#secrets = secrets;
      this.#info = info;
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      this.#error = messageOf(err);
    }
  }

  /** Checks a cluster now (the card's refresh button). */
  check(id: string): Promise<null> {
    return this.bridge.invoke('fleet:refresh', id);
  }
}
