/**
 * Watches every connected cluster: one check at a time per cluster, one check per interval
 * while it answers, and longer waits (backoff) while it does not. Each check's result goes to
 * `onHealth`; the transitions it reveals go to `onEvents`.
 */
import type { ClusterClient } from '../cluster/clusterClient.js';
import { ClusterError } from '../cluster/clusterError.js';
import { nextCheckDelay } from './backoff.js';
import { emptyHealth, healthFromFailure, healthFromReading, readCluster, type ClusterHealth } from './clusterHealth.js';
import { fleetEvents, type FleetEvent } from './fleetEvents.js';

export interface HealthWatcherOptions {
  intervalMs: number;
  /** Longest wait between checks of an unreachable cluster. */
  maxBackoffMs: number;
  /** Per request (default 10 s); checks of one cluster never overlap, so it may exceed the interval. */
  timeoutMs?: number;
  /** The client of a connection (undefined once it is gone). */
  clientFor: (connectionId: string) => ClusterClient | undefined;
  onHealth?: (health: ClusterHealth) => void;
  onEvents?: (events: FleetEvent[]) => void;
}

interface Watched {
  health: ClusterHealth;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  /** Bumped on unwatch/rewatch so a check in flight for an old setup is ignored. */
  generation: number;
}

export class HealthWatcher {
  readonly #clusters = new Map<string, Watched>();
  #generation = 0;
  #stopped = false;

  constructor(private readonly o: HealthWatcherOptions) {}

  /** Starts (or restarts, after an edit) watching a connection; its first check runs now. */
  watch(connectionId: string, name: string): void {
    this.unwatch(connectionId);
    const w: Watched = { health: emptyHealth(connectionId, name), timer: undefined, running: undefined, generation: ++this.#generation };
    this.#clusters.set(connectionId, w);
    this.#schedule(connectionId, w, 0);
  }

  /** A renamed connection keeps its card and its schedule. */
  rename(connectionId: string, name: string): void {
    const w = this.#clusters.get(connectionId);
    if (w) w.health = { ...w.health, name };
  }

  unwatch(connectionId: string): void {
    const w = this.#clusters.get(connectionId);
    if (!w) return;
    clearTimeout(w.timer);
    this.#clusters.delete(connectionId);
  }

  /** Checks now (the user pressed refresh), unless a check is already running. */
  refresh(connectionId: string): void {
    const w = this.#clusters.get(connectionId);
    if (!w || w.running) return;
    clearTimeout(w.timer);
    this.#schedule(connectionId, w, 0);
  }

  health(connectionId: string): ClusterHealth | undefined {
    return this.#clusters.get(connectionId)?.health;
  }

  all(): ClusterHealth[] {
    return [...this.#clusters.values()].map((w) => w.health);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const running = [...this.#clusters.values()].map((w) => w.running);
    for (const id of [...this.#clusters.keys()]) this.unwatch(id);
    await Promise.allSettled(running);
  }

  #schedule(connectionId: string, w: Watched, delayMs: number): void {
    if (this.#stopped) return;
    w.health = { ...w.health, nextCheckAt: new Date(Date.now() + delayMs).toISOString() };
    w.timer = setTimeout(() => {
      w.running = this.#check(connectionId, w).finally(() => (w.running = undefined));
    }, delayMs);
  }

  async #check(connectionId: string, w: Watched): Promise<void> {
    const client = this.o.clientFor(connectionId);
    if (!client) return;
    const timeoutMs = this.o.timeoutMs ?? 10_000;
    const before = w.health;
    let after: ClusterHealth;
    try {
      after = healthFromReading(before, await readCluster(client, timeoutMs), new Date());
    } catch (err) {
      const e = err instanceof ClusterError ? err : new ClusterError('Unreachable', (err as Error).message);
      after = healthFromFailure(before, { code: e.code, message: e.message }, new Date());
    }
    if (this.#clusters.get(connectionId)?.generation !== w.generation) return; // unwatched or edited meanwhile
    w.health = after;
    this.#schedule(connectionId, w, nextCheckDelay(this.o.intervalMs, after.failures, this.o.maxBackoffMs));
    this.o.onHealth?.(w.health);
    const events = fleetEvents(before, after);
    if (events.length) this.o.onEvents?.(events);
  }
}
